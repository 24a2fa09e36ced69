// Verification in the browser with the project's verification library: the EVM ports read
// TrustAnchor and IssuerRegistry at the public JSON-RPC endpoint the API names
// (GET /api/public/config), and the ledger record comes from the API's public route
// GET /api/certificates/{id}/status. Loaded lazily: it brings ethers and the keccak WebAssembly.
import { createEvmPorts, type EvmPorts } from '../../../services/src/verification/evm';
import type { LedgerCertificateRecord, LedgerRecordReader } from '../../../services/src/verification/ports';
import { parseLedgerRecord } from '../../../services/src/verification/record';
import { verify } from '../../../services/src/verification/verify';
import { api, unwrap, type PublicConfig, type VerificationResult } from './client';
import { ApiError } from './errors';

/** How long the browser waits for the chain to say which chain it is before asking the API instead. */
const PROBE_TIMEOUT_MS = 4000;
/** One deadline for all of a verification's questions (the library's `portTimeoutMs`). */
const PORT_TIMEOUT_MS = 8000;
/** The checks that read the chain: if one could not, the chain is unreachable from here. */
const CHAIN_CHECKS = new Set(['anchored', 'notRevoked', 'issuerAllowed']);

export type LocalOutcome =
  | { readonly ok: true; readonly result: VerificationResult; readonly chainId: number }
  | { readonly ok: false; readonly reason: 'config' | 'chain' };

let configured: Promise<{ config: PublicConfig; evm: EvmPorts }> | undefined;

function connect(): Promise<{ config: PublicConfig; evm: EvmPorts }> {
  configured ??= unwrap(api.GET('/api/public/config'))
    .then((config) => {
      const deployment = {
        chainId: config.chainId,
        contracts: { TrustAnchor: { address: config.trustAnchor }, IssuerRegistry: { address: config.issuerRegistry } },
      };
      return { config, evm: createEvmPorts({ deployment, rpcUrl: config.rpcUrl }) };
    })
    .catch((err: unknown) => {
      // Ask again next time: the API may have been restarting.
      configured = undefined;
      throw err;
    });
  return configured;
}

function withTimeout<T>(pending: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
    pending.then(resolve, reject).finally(() => {
      clearTimeout(timer);
    });
  });
}

/**
 * The ledger record over the API's public status route. That route leaves out the holder
 * reference, so the certificate's own is used in its place: the check still binds the record to
 * this holder, because the record's documentHash must equal the document's targetHash, which is
 * computed over the header that carries the holder reference.
 */
function statusRecordReader(subjectRef: string): LedgerRecordReader {
  return {
    async getCertificate(query): Promise<LedgerCertificateRecord | null> {
      if (query.channel !== 'community' || query.chaincode !== 'ctl') return null;
      let body: Record<string, unknown>;
      try {
        body = await unwrap(api.GET('/api/certificates/{id}/status', { params: { path: { id: query.certificateId } } }));
      } catch (err) {
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
      return parseLedgerRecord({ subjectRef, ...body }, (what) => {
        throw new Error(`the API returned a malformed record (${what})`);
      });
    },
  };
}

function subjectRefOf(document: Record<string, unknown>): string {
  const subject = document.credentialSubject;
  const id = typeof subject === 'object' && subject !== null ? (subject as Record<string, unknown>).id : undefined;
  return typeof id === 'string' && id.startsWith('urn:ctl:subject:') ? id.slice('urn:ctl:subject:'.length) : '';
}

/**
 * Verifies `document` in the browser. Never throws: when the browser cannot reach what it needs
 * it says why, and the caller asks the API instead.
 */
export async function verifyLocally(document: Record<string, unknown>, asOf: string | undefined): Promise<LocalOutcome> {
  let connection: { config: PublicConfig; evm: EvmPorts };
  try {
    connection = await connect();
  } catch {
    return { ok: false, reason: 'config' };
  }
  const { config, evm } = connection;
  try {
    await withTimeout(evm.anchor.network(), PROBE_TIMEOUT_MS);
  } catch {
    return { ok: false, reason: 'chain' };
  }
  const ports = { anchor: evm.anchor, issuers: evm.issuers, ledger: statusRecordReader(subjectRefOf(document)) };
  let result: Awaited<ReturnType<typeof verify>>;
  try {
    result = await verify(document, ports, { portTimeoutMs: PORT_TIMEOUT_MS, ...(asOf === undefined ? {} : { asOf }) });
  } catch {
    // Only bad options throw (an as-of date the browser's clock puts in the future): let the API judge.
    return { ok: false, reason: 'chain' };
  }
  if (result.checks.some((check) => CHAIN_CHECKS.has(check.name) && check.code === 'UNAVAILABLE')) return { ok: false, reason: 'chain' };
  const checks = result.checks.map((check) => ({ ...check, ...(check.facts === undefined ? {} : { facts: { ...check.facts } }) }));
  return { ok: true, result: { valid: result.valid, asOf: result.asOf, checks }, chainId: config.chainId };
}
