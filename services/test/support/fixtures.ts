/** Ledger records and events as the chaincode writes them, for projection and service tests. */
import type { ProjectedEvent } from '../../src/workers/certificate-projection';
import { idCheckDigit } from '../../src/domain/identity-number';

export const TYPE = {
  code: 'SENIOR_CARE_CARD',
  name: 'Senior care card',
  allowedIssuerMsps: ['CivilAffairsMSP'],
  validityDays: 0,
  fields: [
    { key: 'holderName', label: 'Holder name', type: 'string', required: true, personal: true },
    { key: 'eligibleFrom', label: 'Eligible from', type: 'date', required: true },
  ],
  version: 1,
  definitionHash: `0x${'9'.repeat(64)}`,
  registrarMsp: 'StreetOfficeMSP',
};

export function hash(digit: string): string {
  return `0x${digit.repeat(64)}`;
}

export function record(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    typeCode: 'SENIOR_CARE_CARD',
    typeVersion: 1,
    issuerMsp: 'CivilAffairsMSP',
    subjectRef: hash('1'),
    documentHash: hash('2'),
    batchId: null,
    batchRoot: hash('2'),
    status: 'ISSUED',
    issuedAt: '2026-01-02T03:04:05.000Z',
    validUntil: null,
    revocation: null,
    suspension: null,
    statusChanges: [],
    issuedBy: { msp: 'CivilAffairsMSP', cn: 'officer' },
    txId: 'f'.repeat(64),
    updatedAt: '2026-01-02T03:04:05.000Z',
    ...overrides,
  };
}

export function event(eventName: string, payload: unknown, blockNumber: number, transactionId: string): ProjectedEvent {
  return { eventName, blockNumber, transactionId, payload: Buffer.from(JSON.stringify(payload)) };
}

/** An 18-digit resident identity number from its first 17 digits, with its GB 11643 check digit. */
export function residentId(first17: string): string {
  return `${first17}${idCheckDigit(first17)}`;
}
