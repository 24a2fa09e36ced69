// Elder-friendly mode (large text, high contrast). It is a class on <html> so that every
// style, including the browser's own form controls, can follow it from one place.
import { readonly, ref } from 'vue';

const STORAGE_KEY = 'ctl.elderMode';
const CLASS_NAME = 'elder-mode';

function stored(): boolean {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'on';
  } catch {
    return false;
  }
}

const enabled = ref(stored());
document.documentElement.classList.toggle(CLASS_NAME, enabled.value);

/** Turns elder-friendly mode on or off and remembers it on this device. */
export function setElderMode(on: boolean): void {
  enabled.value = on;
  document.documentElement.classList.toggle(CLASS_NAME, on);
  try {
    localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // Without storage the mode still holds until the page is closed.
  }
}

/** The current elder-friendly mode and its setter. */
export function useElderMode() {
  return { enabled: readonly(enabled), setElderMode };
}
