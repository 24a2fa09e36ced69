// The portal's one translation service: a reactive locale shared by every component,
// persisted in localStorage and mirrored into <html lang> for screen readers and fonts.
import { computed, readonly, ref } from 'vue';
import { en, type Messages } from './en';
import {
  isLocale,
  pickLocale,
  translate,
  translateMessage,
  type Locale,
  type Message,
  type MessageKey,
  type MessageParams,
} from './translate';
import { zhCN } from './zh-CN';

export type { Locale, Message, MessageKey, MessageParams } from './translate';
export { LOCALES } from './translate';

const STORAGE_KEY = 'ctl.locale';
const catalogues: Record<Locale, Messages> = { 'zh-CN': zhCN, en };

function initialLocale(): Locale {
  const stored = readStorage(STORAGE_KEY);
  return isLocale(stored) ? stored : pickLocale(navigator.languages);
}

function readStorage(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    // Storage is unavailable in some private modes; the portal still works without it.
    return null;
  }
}

const locale = ref<Locale>(initialLocale());
document.documentElement.lang = locale.value;

/** Switches the language of the whole portal and remembers the choice on this device. */
export function setLocale(next: Locale): void {
  locale.value = next;
  document.documentElement.lang = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // Not persisting is acceptable: the choice still holds for this visit.
  }
}

/**
 * The composable every component uses for text: `t('verify.title')`. Reading `locale` inside
 * `t` makes each rendered string reactive to a language switch.
 */
export function useI18n() {
  const messages = computed(() => catalogues[locale.value]);
  return {
    locale: readonly(locale),
    setLocale,
    t: (key: MessageKey, params?: MessageParams): string => translate(messages.value, key, params),
    /** Renders a message that logic decided on, e.g. a validation result. */
    tm: (message: Message): string => translateMessage(messages.value, message),
  };
}
