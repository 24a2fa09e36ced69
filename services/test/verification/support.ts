/**
 * Test support for the verification library: certificate types, drafts, and IN-TEST PORT
 * IMPLEMENTATIONS (plain objects holding TrustAnchor / IssuerRegistry / Fabric record state in
 * memory). They exist only for unit tests of the verifier's pure logic; the integration test
 * (`evm-integration.test.ts`) runs the same checks against the real contracts.
 */
import {
  keccakText,
  withLedgerRecord,
  wrapBatch,
  type AnchorReader,
  type CertificateDocument,
  type CertificateDraft,
  type CertificateTypeDefinition,
  type Hex32,
  type IssuerDirectory,
  type LedgerCertificateRecord,
  type LedgerRecordReader,
  type VerificationPorts,
} from '../../src/verification';

export const CHAIN_ID = 31337;
export const TRUST_ANCHOR = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
export const CHANNEL = 'community';
export const CHAINCODE = 'ctl';
export const ZERO_HASH: Hex32 = `0x${'0'.repeat(64)}`;
export const ZERO_ADDRESS = `0x${'0'.repeat(40)}`;

/** 2025-01-01T00:00:00Z, the tests' "issue time". */
export const T0 = Date.UTC(2025, 0, 1) / 1000;
export const DAY = 86_400;

export const RESIDENCE_PROOF: CertificateTypeDefinition = {
  code: 'RESIDENCE_PROOF',
  name: 'Proof of residence',
  fields: [
    { key: 'holderName', label: 'Name', type: 'string', required: true, personal: true },
    { key: 'address', label: 'Address', type: 'string', required: true, personal: true },
    { key: 'birthDate', label: 'Date of birth', type: 'date', required: false, personal: true },
    { key: 'community', label: 'Community', type: 'string', required: true },
    { key: 'householdSize', label: 'Household size', type: 'number', required: false },
    { key: 'ownsHome', label: 'Owns the home', type: 'boolean', required: false, personal: true },
  ],
};

export const ELDERLY_CARE: CertificateTypeDefinition = {
  code: 'ELDERLY_CARE',
  name: 'Elderly care eligibility (green lane)',
  fields: [
    { key: 'holderName', label: 'Name', type: 'string', required: true, personal: true },
    { key: 'ageBand', label: 'Age band', type: 'string', required: true },
  ],
};

export const TYPES = [RESIDENCE_PROOF, ELDERLY_CARE];

/** A subjectRef as the services would compute it (here: any 32-byte hex). */
export function subjectRef(i: number): Hex32 {
  return keccakText(`subject-${i}`);
}

export function iso(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** A valid residence-proof draft number `i`, issued by Civil Affairs. */
export function residenceDraft(i: number, overrides: Partial<CertificateDraft> = {}): CertificateDraft {
  return {
    certificateId: `CA-2025-${String(i).padStart(6, '0')}`,
    typeCode: 'RESIDENCE_PROOF',
    issuer: { mspId: 'CivilAffairsMSP', name: 'Civil Affairs' },
    subjectRef: subjectRef(i),
    validFrom: iso(T0),
    validUntil: iso(T0 + 365 * DAY),
    fields: {
      holderName: `Resident ${i} 张三`,
      address: `${i} Harmony Road, Unit ${i % 7}`,
      birthDate: '1950-06-15',
      community: 'Harmony Community',
      householdSize: 1 + (i % 5),
      ownsHome: i % 2 === 0,
    },
    ...overrides,
  };
}

/** Fabric transaction id of batch `n` (64 hex). */
export function txIdOf(n: number): string {
  return keccakText(`tx-${n}`).slice(2);
}

interface Window {
  from: number;
  until: number;
}

/**
 * In-memory TrustAnchor + IssuerRegistry + Fabric certificate records (unit tests only), with
 * the contracts' semantics: roots are anchored once with the anchoring department, revocations
 * are per node and permanent, authorisation windows are `[from, until)`.
 */
export class InTestLedgers {
  readonly roots = new Map<string, { issuedAt: number; account: string; departmentId: Hex32 }>();
  readonly revoked = new Map<string, { at: number; reasonCode: number }>();
  readonly departments = new Set<string>();
  readonly accounts = new Map<string, Hex32>();
  readonly windows = new Map<string, Window[]>();
  readonly records = new Map<string, LedgerCertificateRecord>();
  chainId = CHAIN_ID;
  trustAnchor = TRUST_ANCHOR;
  private batches = 0;

  constructor() {
    this.registerDepartment('CivilAffairsMSP', '0x00000000000000000000000000000000000000c1');
    this.registerDepartment('PublicSecurityMSP', '0x00000000000000000000000000000000000000b2');
    this.authorize('CivilAffairsMSP', 'RESIDENCE_PROOF', T0 - 365 * DAY, 0);
    this.authorize('CivilAffairsMSP', 'ELDERLY_CARE', T0 - 365 * DAY, 0);
  }

  registerDepartment(mspId: string, account: string): void {
    const id = keccakText(mspId);
    this.departments.add(id);
    this.accounts.set(account.toLowerCase(), id);
  }

  accountOf(mspId: string): string {
    const id = keccakText(mspId);
    for (const [account, dept] of this.accounts) if (dept === id) return account;
    throw new Error(`no account for ${mspId}`);
  }

  authorize(mspId: string, typeCode: string, from: number, until: number): void {
    const key = `${keccakText(mspId)}:${keccakText(typeCode)}`;
    this.windows.set(key, [...(this.windows.get(key) ?? []), { from, until }]);
  }

  anchor(root: Hex32, mspId: string, at: number): void {
    if (this.roots.has(root)) throw new Error('already issued');
    this.roots.set(root, { issuedAt: at, account: this.accountOf(mspId), departmentId: keccakText(mspId) });
  }

  revoke(node: Hex32, at: number, reasonCode = 1): void {
    this.revoked.set(node, { at, reasonCode });
  }

  /** Wraps drafts, records them on the "Fabric" and anchors the root at `at`. */
  async issue(drafts: CertificateDraft[], at = T0, anchoringMsp?: string): Promise<CertificateDocument[]> {
    const batch = await wrapBatch(drafts, { anchor: { chainId: this.chainId, trustAnchor: this.trustAnchor }, types: TYPES });
    this.batches += 1;
    const txId = txIdOf(this.batches);
    const blockNumber = 10 + this.batches;
    this.anchor(batch.merkleRoot, anchoringMsp ?? drafts[0]?.issuer.mspId ?? 'CivilAffairsMSP', at);
    return batch.documents.map((doc, i) => {
      const draft = drafts[i] as CertificateDraft;
      this.records.set(draft.certificateId, {
        id: draft.certificateId,
        typeCode: draft.typeCode,
        issuerMsp: draft.issuer.mspId,
        subjectRef: draft.subjectRef,
        documentHash: batch.targetHashes[i] as string,
        batchRoot: batch.merkleRoot,
        status: 'ISSUED',
        issuedAt: iso(at),
        validUntil: draft.validUntil === undefined || draft.validUntil === null ? null : new Date(draft.validUntil).toISOString(),
        statusChanges: [],
        txId,
        blockNumber,
      });
      return withLedgerRecord(doc, { channel: CHANNEL, chaincode: CHAINCODE, certificateId: draft.certificateId, txId, blockNumber });
    });
  }

  /** Records a Fabric status change effective at `at`. */
  setStatus(certificateId: string, status: 'SUSPENDED' | 'REVOKED' | 'ISSUED', at: number, reasonCode: string, reasonText = ''): void {
    const record = this.records.get(certificateId);
    if (record === undefined) throw new Error(`no record ${certificateId}`);
    this.records.set(certificateId, {
      ...record,
      status,
      statusChanges: [...record.statusChanges, { status, reasonCode, reasonText, effectiveAt: iso(at) }],
    });
  }

  anchorReader(): AnchorReader {
    return {
      network: () => Promise.resolve({ chainId: this.chainId, trustAnchor: this.trustAnchor }),
      rootInfo: (root) => {
        const r = this.roots.get(root);
        return Promise.resolve(r === undefined ? { issuedAt: 0, issuerAccount: ZERO_ADDRESS, departmentId: ZERO_HASH } : { issuedAt: r.issuedAt, issuerAccount: r.account, departmentId: r.departmentId });
      },
      revocations: (nodes) => Promise.resolve(nodes.map((n) => this.revoked.get(n) ?? { at: 0, reasonCode: 0 })),
    };
  }

  issuerDirectory(): IssuerDirectory {
    return {
      isRegistered: (departmentId) => Promise.resolve(this.departments.has(departmentId)),
      isAuthorized: (departmentId, certType, at) =>
        Promise.resolve((this.windows.get(`${departmentId}:${certType}`) ?? []).some((w) => w.from <= at && (w.until === 0 || at < w.until))),
    };
  }

  ledgerReader(): LedgerRecordReader {
    return {
      getCertificate: (query) => Promise.resolve(query.channel === CHANNEL && query.chaincode === CHAINCODE ? (this.records.get(query.certificateId) ?? null) : null),
    };
  }

  ports(): VerificationPorts {
    return { anchor: this.anchorReader(), issuers: this.issuerDirectory(), ledger: this.ledgerReader() };
  }
}

/** A deep copy as plain mutable JSON. */
export function clone(doc: unknown): Record<string, unknown> {
  return JSON.parse(JSON.stringify(doc)) as Record<string, unknown>;
}

/** An instant well inside the tests' validity window, for `now`. */
export const NOW = new Date((T0 + 30 * DAY) * 1000);
