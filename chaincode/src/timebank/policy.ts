/**
 * The time-bank policy: caps and rules the street offices set, with the defaults that apply
 * until they do.
 */
import { Input } from '../shared/input';
import type { TimeBankPolicy } from './models';

/** The policy in force before any street office sets one. */
export const DEFAULT_POLICY: TimeBankPolicy = Object.freeze({
  dailyCapMinutes: 8 * 60,
  storageCapMinutes: 1500 * 60,
  maxSessionMinutes: 8 * 60,
  redeemRequiresEligibility: true,
  lotLifetimeDays: 0,
  dayOffsetMinutes: 8 * 60,
  version: 0,
  updatedAt: null,
  updatedBy: null,
});

const FIELDS = ['dailyCapMinutes', 'storageCapMinutes', 'maxSessionMinutes', 'redeemRequiresEligibility', 'lotLifetimeDays', 'dayOffsetMinutes'] as const;

/** The settable part of a policy. */
export type PolicySettings = Pick<TimeBankPolicy, (typeof FIELDS)[number]>;

/**
 * Parses a complete policy (every field given, so a change is never partial by accident).
 *
 * @param raw - the parsed JSON
 * @returns the settings
 * @throws ChaincodeError `TIMEBANK.INVALID_ARGUMENT` for missing, unknown or out-of-range fields
 */
export function parsePolicy(raw: unknown): PolicySettings {
  const input = new Input('TIMEBANK', 'policy');
  const o = input.object('policyJson', raw, FIELDS);
  const settings: PolicySettings = {
    dailyCapMinutes: input.integer('dailyCapMinutes', o.dailyCapMinutes, 1, 24 * 60),
    storageCapMinutes: input.integer('storageCapMinutes', o.storageCapMinutes, 60, 100_000 * 60),
    maxSessionMinutes: input.integer('maxSessionMinutes', o.maxSessionMinutes, 1, 24 * 60),
    redeemRequiresEligibility: input.boolean('redeemRequiresEligibility', o.redeemRequiresEligibility),
    lotLifetimeDays: input.integer('lotLifetimeDays', o.lotLifetimeDays, 0, 36_500),
    dayOffsetMinutes: input.integer('dayOffsetMinutes', o.dayOffsetMinutes, -12 * 60, 14 * 60),
  };
  if (settings.maxSessionMinutes > settings.dailyCapMinutes) input.fail('maxSessionMinutes must not exceed dailyCapMinutes');
  return settings;
}

/**
 * The local day an instant falls on, for the daily cap.
 *
 * @param iso - ISO 8601 UTC instant
 * @param offsetMinutes - the policy's day offset
 * @returns `YYYY-MM-DD`
 */
export function localDay(iso: string, offsetMinutes: number): string {
  return new Date(Date.parse(iso) + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/**
 * The day before or after a local day.
 *
 * @param day - `YYYY-MM-DD`
 * @param delta - days to add
 * @returns `YYYY-MM-DD`
 */
export function shiftDay(day: string, delta: number): string {
  return new Date(Date.parse(`${day}T00:00:00.000Z`) + delta * 86_400_000).toISOString().slice(0, 10);
}
