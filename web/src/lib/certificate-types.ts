// The certificate types the officer's form offers, with the fields each one carries. It
// mirrors the services' type schemas (GB/T 36903 metadata) until the API lists the types
// itself; codes and field names must match what `POST /api/certificates` accepts.
import type { MessageKey } from '../i18n/translate';

/** One field of a certificate type, as the form shows it. */
export interface FieldSpec {
  readonly name: string;
  readonly label: MessageKey;
  readonly required: boolean;
  readonly maxLength: number;
  /** Hints the on-screen keyboard on phones and tablets. */
  readonly inputMode: 'text' | 'numeric';
  readonly autocomplete?: string;
}

/** A certificate type the portal can issue. */
export interface CertificateTypeSpec {
  readonly code: string;
  readonly label: MessageKey;
  readonly fields: readonly FieldSpec[];
}

export const CERTIFICATE_TYPES: readonly CertificateTypeSpec[] = [
  {
    code: 'RESIDENCE',
    label: 'certTypes.residence.name',
    fields: [
      { name: 'address', label: 'certTypes.residence.address', required: true, maxLength: 200, inputMode: 'text' },
      { name: 'community', label: 'certTypes.residence.community', required: true, maxLength: 100, inputMode: 'text' },
    ],
  },
  {
    code: 'ELDERLY_CARE',
    label: 'certTypes.elderlyCare.name',
    fields: [
      { name: 'birthYear', label: 'certTypes.elderlyCare.birthYear', required: true, maxLength: 4, inputMode: 'numeric' },
      { name: 'careLevel', label: 'certTypes.elderlyCare.careLevel', required: false, maxLength: 50, inputMode: 'text' },
    ],
  },
  {
    code: 'DISABILITY',
    label: 'certTypes.disability.name',
    fields: [
      { name: 'category', label: 'certTypes.disability.category', required: true, maxLength: 50, inputMode: 'text' },
      { name: 'grade', label: 'certTypes.disability.grade', required: true, maxLength: 20, inputMode: 'text' },
    ],
  },
];

/** The type with `code`, or undefined for a code the portal does not know. */
export function certificateType(code: string): CertificateTypeSpec | undefined {
  return CERTIFICATE_TYPES.find((type) => type.code === code);
}
