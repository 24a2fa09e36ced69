/**
 * The parts of a certificate request that a department types in: the holder and the type's
 * field values. One definition for the single-certificate request and every row of a batch.
 *
 * Text that arrived in the wrong encoding is refused: a CSV that Excel saved in GBK, sent as
 * UTF-8, reaches the services with each Chinese character replaced by U+FFFD, and a certificate
 * issued from it would carry the holder's name as "��". No real name or field holds U+FFFD.
 *
 * An 18-character resident identity number whose GB 11643 check digit does not match is refused
 * (see identity-number.ts).
 */
import { z } from 'zod';
import { refinement } from '../validation-issues';
import { hasWrongCheckDigit } from './identity-number';

/** U+FFFD, which decoders put where bytes were not valid in the encoding they assumed. */
const REPLACEMENT_CHARACTER = '\uFFFD';

/** The message for text that holds U+FFFD. */
const LOST_CHARACTERS =
  'holds U+FFFD, a character lost in decoding: send UTF-8 (in Excel, save as "CSV UTF-8"), or name the encoding, e.g. Content-Type: text/csv; charset=gb18030';

/** Whether no character of `text` was lost in decoding. */
function intact(text: string): boolean {
  return !text.includes(REPLACEMENT_CHARACTER);
}

function decodedText(max: number): z.ZodString {
  return z.string().trim().min(1).max(max).refine(intact, refinement('LOST_CHARACTERS', LOST_CHARACTERS));
}

/** The holder: only the keyed hash of the identity number reaches a ledger. */
export const HolderSchema = z.strictObject({
  idNumber: decodedText(64)
    .refine(
      (id) => !hasWrongCheckDigit(id),
      refinement('ID_CHECK_DIGIT', 'is an 18-character resident identity number whose check digit (the last character) does not match (GB 11643): check it for a typo'),
    )
    .meta({ description: 'Identity number; only its keyed hash (subjectRef) reaches a ledger. An 18-character resident identity number must have a matching GB 11643 check digit' }),
  name: decodedText(100).meta({ description: "Holder's name, written into the document's holderName field" }),
});

const FieldValue = z.union([z.string().max(500).refine(intact, refinement('LOST_CHARACTERS', LOST_CHARACTERS)), z.number(), z.boolean()]);

/** The type's field values by key (at most 64). */
export const FieldValuesSchema = z
  .record(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'field keys are letters, digits and _'), FieldValue)
  .refine((f) => Object.keys(f).length <= 64, 'at most 64 fields');
