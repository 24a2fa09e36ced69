// Unit tests of pure logic: the style sheet's colour pairs meet WCAG 2.2 AA contrast
// (4.5:1 for text, 3:1 for borders and focus indicators), in both display modes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';

const css = readFileSync(join(__dirname, '../src/styles/main.css'), 'utf8');

function block(selector: string): Map<string, string> {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`no ${selector} block`);
  const body = css.slice(start, css.indexOf('}', start));
  return new Map([...body.matchAll(/(--[\w-]+):\s*(#[0-9a-fA-F]{6})/g)].map((m) => [m[1] ?? '', m[2] ?? '']));
}

function luminance(hex: string): number {
  const channel = (i: number): number => {
    const c = parseInt(hex.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

const TEXT_PAIRS: readonly [string, string][] = [
  ['--text', '--background'],
  ['--text', '--surface'],
  ['--muted', '--background'],
  ['--muted', '--surface'],
  ['--primary', '--background'],
  ['--primary', '--surface'],
  ['--primary-hover', '--surface'],
  ['--primary-text', '--primary'],
  ['--primary-text', '--primary-hover'],
  ['--ok', '--background'],
  ['--ok', '--ok-surface'],
  ['--bad', '--background'],
  ['--bad', '--bad-surface'],
  ['--focus-ink', '--focus'],
];
const NON_TEXT_PAIRS: readonly [string, string][] = [
  ['--border', '--background'],
  // The focus ring is a dark inner ring and a yellow outer one: each contrasts with the other
  // and the dark one with the page, whatever the colour of the focused control.
  ['--focus-ink', '--background'],
];

describe('web: colour contrast', () => {
  const base = block(':root');
  const modes = { default: base, 'elder-friendly': new Map([...base, ...block('html.elder-mode')]) };

  for (const [mode, colours] of Object.entries(modes)) {
    it(`meets AA for text and non-text pairs in ${mode} mode`, () => {
      const colour = (name: string): string => {
        const value = colours.get(name);
        if (value === undefined) throw new Error(`${name} is not defined`);
        return value;
      };
      for (const [fg, bg] of TEXT_PAIRS) expect(contrast(colour(fg), colour(bg)), `${fg} on ${bg}`).to.be.at.least(4.5);
      for (const [fg, bg] of NON_TEXT_PAIRS) expect(contrast(colour(fg), colour(bg)), `${fg} on ${bg}`).to.be.at.least(3);
    });
  }

  it('gives elder-friendly mode at least 7:1 (AAA) for body text and links', () => {
    const colours = new Map([...base, ...block('html.elder-mode')]);
    for (const fg of ['--text', '--muted', '--primary']) {
      expect(contrast(colours.get(fg) ?? '', colours.get('--background') ?? ''), fg).to.be.at.least(7);
    }
  });
});
