// Pure message lookup, kept free of Vue so it can be unit-tested and reused outside components.
import type { Messages } from './en';

/** The languages the portal speaks; the first is the default of a Chinese city deployment. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

/** Every key of the catalogue in dotted form, e.g. `verify.title`. */
export type MessageKey = Leaves<Messages>;

/** Values substituted for `{name}` placeholders. */
export type MessageParams = Readonly<Record<string, string | number>>;

/**
 * Looks up a message and substitutes its placeholders. A placeholder without a value is left
 * as written, so a missing parameter shows up on screen instead of silently vanishing.
 *
 * @throws {Error} if the key does not name a string in the catalogue; the type of `key` makes
 *   this a programming error that only an unchecked cast can cause.
 */
export function translate(messages: Messages, key: MessageKey, params?: MessageParams): string {
  let node: unknown = messages;
  for (const part of key.split('.')) {
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[part] : undefined;
  }
  if (typeof node !== 'string') throw new Error(`i18n: no message for key ${key}`);
  if (params === undefined) return node;
  return node.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** A message decided by logic and rendered later, in whatever language is current then. */
export interface Message {
  readonly key: MessageKey;
  readonly params?: MessageParams;
  /** Parameters that are themselves messages, translated before they are substituted. */
  readonly keyParams?: Readonly<Record<string, MessageKey>>;
}

/**
 * Renders a {@link Message}.
 *
 * @throws {Error} as {@link translate} does, for a key the catalogue lacks.
 */
export function translateMessage(messages: Messages, message: Message): string {
  const nested: Record<string, string> = {};
  for (const [name, key] of Object.entries(message.keyParams ?? {})) nested[name] = translate(messages, key);
  return translate(messages, message.key, { ...message.params, ...nested });
}

/**
 * Chooses the initial language from the browser's preferences: Chinese for any `zh*` tag,
 * English for any `en*` tag, whichever comes first; Chinese when neither is listed.
 */
export function pickLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'zh-CN';
}

/** Narrows an untrusted string (from storage or a URL) to a supported locale. */
export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}
