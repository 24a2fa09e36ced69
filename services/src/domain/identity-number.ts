/**
 * GB 11643 resident identity numbers: 18 characters (mainland, Hong Kong, Macao and Taiwan
 * residents, and foreigners' permanent residence cards) ending in a check digit over the first 17
 * (ISO 7064 MOD 11-2). The API and the portal both check it, so a mistyped number is caught
 * before a certificate goes to a subject no resident can sign in as. Pure, with no imports, so the
 * portal bundles it as it is.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_DIGITS = '10X98765432';

/** An identity number as the services compare it: no white space, a final x upper-case. */
export function normaliseIdNumber(idNumber: string): string {
  return idNumber.replace(/\s+/g, '').toUpperCase();
}

/**
 * The check digit of the first 17 digits of a resident identity number.
 *
 * @throws RangeError unless `first17` is 17 decimal digits
 */
export function idCheckDigit(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('a resident identity number has 17 digits before its check digit');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charAt(i)) * (WEIGHTS[i] ?? 0);
  return CHECK_DIGITS.charAt(sum % 11);
}

/**
 * Whether `idNumber` is an 18-character resident identity number (spaces and the case of X aside)
 * whose check digit does not match. Other documents (passports, old 15-digit numbers) are not.
 */
export function hasWrongCheckDigit(idNumber: string): boolean {
  const id = normaliseIdNumber(idNumber);
  return /^\d{17}[\dX]$/.test(id) && idCheckDigit(id.slice(0, 17)) !== id.charAt(17);
}
