// Finds where JSON text goes wrong. Browsers' JSON.parse messages differ by engine and often
// carry no position ("Unexpected token '}'"), yet a person fixing a pasted certificate needs
// a line and column, in their own language.

/** Unwinds the scanner from the point where the text stops being JSON. */
class Stop extends Error {
  constructor(readonly offset: number) {
    super(`JSON syntax error at offset ${offset}`);
    this.name = Stop.name;
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * The character offset of the first JSON syntax error in `text` (RFC 8259), `text.length`
 * when the text ends too early, or undefined when the text is valid JSON or too deeply
 * nested to scan.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0;
  const stop = (): never => {
    throw new Stop(i);
  };
  const space = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const expect = (char: string): void => {
    if (text.charAt(i) !== char) stop();
    i++;
  };
  const string = (): void => {
    expect('"');
    for (;;) {
      if (i >= text.length) stop();
      const char = text.charAt(i);
      if (char === '"') {
        i++;
        return;
      }
      if (char.charCodeAt(0) < 0x20) stop();
      if (char === '\\') {
        i++;
        const escape = text.charAt(i);
        if (escape === 'u') {
          if (!HEX4.test(text.slice(i + 1, i + 5))) stop();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(escape) || escape === '') stop();
      }
      i++;
    }
  };
  const sequence = (close: string, item: () => void): void => {
    i++;
    space();
    if (text.charAt(i) === close) {
      i++;
      return;
    }
    for (;;) {
      item();
      space();
      if (text.charAt(i) === ',') {
        i++;
        space();
        continue;
      }
      expect(close);
      return;
    }
  };
  const value = (): void => {
    space();
    const char = text.charAt(i);
    if (char === '{') {
      sequence('}', () => {
        string();
        space();
        expect(':');
        value();
      });
    } else if (char === '[') sequence(']', value);
    else if (char === '"') string();
    else if (char === '-' || (char >= '0' && char <= '9')) {
      NUMBER.lastIndex = i;
      if (NUMBER.exec(text) === null) stop();
      i = NUMBER.lastIndex;
    } else {
      const literal = ['true', 'false', 'null'].find((word) => text.startsWith(word, i));
      if (literal === undefined) stop();
      else i += literal.length;
    }
  };

  try {
    value();
    space();
    if (i < text.length) stop();
    return undefined;
  } catch (thrown) {
    if (thrown instanceof Stop) return Math.min(thrown.offset, text.length);
    // Nesting deep enough to exhaust the stack: report no position rather than fail.
    if (thrown instanceof RangeError) return undefined;
    throw thrown;
  }
}
