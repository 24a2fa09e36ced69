// The planned pages a placeholder can stand for, each with its one-line description.
import type { MessageKey } from '../i18n/translate';

export const COMING_FEATURES = ['coordinator', 'provider', 'audit', 'dashboard'] as const;
export type ComingFeature = (typeof COMING_FEATURES)[number];

/** The catalogue key describing a planned page. */
export function comingDescription(feature: ComingFeature): MessageKey {
  return `coming.${feature}`;
}
