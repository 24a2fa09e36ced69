/**
 * Offline bundles (README.md §7): the document, a snapshot of everything the status checks ask
 * the ledgers (anchor, revocations of every node on the document's path, the issuer's
 * authorisation at issue time, the Fabric record), signatures over the snapshot by department
 * keys, and those keys. A verifier with no network checks the document itself as usual and takes
 * the status answers from the snapshot, provided enough of its signatures come from department
 * keys it already trusts (pinned key ids, e.g. from IssuerRegistry). The QR payload is the
 * bundle, deflated and base64url-encoded.
 */
import canonicalize from 'canonicalize';
import { FlattenedSign, base64url, decodeProtectedHeader, flattenedVerify, importJWK, type JWK } from 'jose';
import { BundleError, DocumentFormatError, PortUnavailableError, VerificationOptionsError } from './errors';
import { LIMITS, MSP_ID, isEvmAddress, readDocument, type CertificateDocument } from './format';
import { isHex32, keccak, keccakSync, keccakText, toHex, type Hex32 } from './hash';
import { pathNodes } from './merkle';
import { parseLedgerRecord as parseRecord } from './record';
import type { AnchorReader, IssuerDirectory, LedgerCertificateRecord, LedgerRecordReader, NodeRevocation, RootInfo, VerificationPorts } from './ports';
import { verify, type VerificationResult, type VerifyOptions } from './verify';

/** `format` of a bundle. */
export const BUNDLE_FORMAT = 'ctl-offline-bundle/1';
/** `format` of a status snapshot. */
export const SNAPSHOT_FORMAT = 'ctl-status-snapshot/1';
/** Prefix of the QR payload. */
export const QR_PREFIX = 'CTL1:';
/** Bytes a QR code holds at most (version 40, error correction L, byte mode). */
export const QR_MAX_BYTES = 2953;
/** Largest bundle accepted after inflating a QR payload. */
const MAX_BUNDLE_BYTES = 1 << 20;

/** The status answers a verifier needs, as the ledgers gave them at `takenAt`. */
export interface StatusSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  /** Unix seconds. */
  readonly takenAt: number;
  readonly certificateId: string;
  readonly targetHash: Hex32;
  readonly anchor: {
    readonly chainId: number;
    readonly trustAnchor: string;
    readonly root: Hex32;
    readonly issuedAt: number;
    readonly issuerAccount: string;
    readonly departmentId: Hex32;
    /** Proof length: the path has `pathLength + 1` nodes, from the targetHash (position 0) to the root. */
    readonly pathLength: number;
    /**
     * The revoked nodes on the path, by position (0 = the leaf); every other node was not
     * revoked. Positions, not hashes: the path from targetHash to root is unique, and this keeps
     * the QR payload small.
     */
    readonly revocations: readonly { readonly position: number; readonly at: number; readonly reasonCode: number }[];
  };
  readonly issuers: {
    readonly departmentId: Hex32;
    readonly registered: boolean;
    readonly certType: Hex32;
    /** The issue time asked about (the root's `issuedAt`). */
    readonly at: number;
    readonly authorized: boolean;
  };
  /** The Fabric record, or null when the ledger has none. */
  readonly ledger: LedgerCertificateRecord | null;
}

/**
 * A P-256 public key of a department signing identity. Its key id, as IssuerRegistry identifies
 * keys, is `keccak256(abi.encode(qx, qy))` ({@link keyIdOf}).
 */
export interface BundleKey {
  readonly mspId: string;
  readonly jwk: { readonly kty: 'EC'; readonly crv: 'P-256'; readonly x: string; readonly y: string };
}

/**
 * A JWS signature (RFC 7515 JSON serialisation) over the snapshot with the payload detached and
 * unencoded (RFC 7797): the signed bytes are the snapshot's RFC 8785 canonical form. The i-th
 * signature is made with the i-th key of the bundle.
 */
export interface BundleSignature {
  readonly protected: string;
  readonly signature: string;
}

/** A document with everything needed to verify it with no network. */
export interface OfflineBundle {
  readonly format: typeof BUNDLE_FORMAT;
  readonly document: CertificateDocument;
  readonly snapshot: StatusSnapshot;
  readonly signatures: readonly BundleSignature[];
  readonly keys: readonly BundleKey[];
}

/** A department key that signs snapshots: a P-256 private JWK (with `d`). */
export interface SnapshotSigner {
  readonly mspId: string;
  readonly privateJwk: JWK;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * The IssuerRegistry key id of a P-256 JWK: keccak-256 over the 32-byte x then y coordinates.
 *
 * @throws {@link BundleError} `CERT_BUNDLE.SIGNER_INVALID` when the JWK is not a P-256 public key
 */
export function keyIdOf(jwk: JWK): Hex32 {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new BundleError('CERT_BUNDLE.SIGNER_INVALID', 'A department key must be a P-256 EC key.');
  }
  const x = base64url.decode(jwk.x);
  const y = base64url.decode(jwk.y);
  if (x.length !== 32 || y.length !== 32) throw new BundleError('CERT_BUNDLE.SIGNER_INVALID', 'A P-256 key has 32-byte coordinates.');
  const xy = new Uint8Array(64);
  xy.set(x, 0);
  xy.set(y, 32);
  // Synchronous for callers' convenience: before WebAssembly loads, the JavaScript keccak answers (same result).
  return toHex(keccakSync().bytes(xy));
}

const encoder = new TextEncoder();

function snapshotBytes(snapshot: StatusSnapshot): Uint8Array {
  const text = canonicalize(snapshot);
  if (text === undefined) throw new BundleError('CERT_BUNDLE.INVALID', 'The snapshot cannot be canonicalised.');
  return encoder.encode(text);
}

/** Checks and copies a snapshot read from JSON. */
function parseSnapshot(value: unknown): StatusSnapshot {
  const bad = (what: string): never => {
    throw new BundleError('CERT_BUNDLE.INVALID', `The bundle's status snapshot is malformed: ${what}.`, { path: 'snapshot' });
  };
  if (!isObject(value) || value.format !== SNAPSHOT_FORMAT) return bad('unknown format');
  if (!isTime(value.takenAt)) return bad('takenAt');
  if (typeof value.certificateId !== 'string') return bad('certificateId');
  if (!isHex32(value.targetHash)) return bad('targetHash');
  const a = value.anchor;
  if (
    !isObject(a) ||
    typeof a.chainId !== 'number' ||
    !Number.isSafeInteger(a.chainId) ||
    !isEvmAddress(a.trustAnchor) ||
    !isHex32(a.root) ||
    !isTime(a.issuedAt) ||
    !isEvmAddress(a.issuerAccount) ||
    !isHex32(a.departmentId) ||
    !isTime(a.pathLength) ||
    a.pathLength > LIMITS.maxProofLength ||
    !Array.isArray(a.revocations)
  ) {
    return bad('anchor');
  }
  const pathLength = a.pathLength;
  const revocations = a.revocations.map((r: unknown) => {
    if (!isObject(r) || !isTime(r.position) || r.position > pathLength || !isTime(r.at) || r.at === 0 || !isTime(r.reasonCode) || r.reasonCode > 65_535) {
      return bad('anchor.revocations');
    }
    return { position: r.position, at: r.at, reasonCode: r.reasonCode };
  });
  const i = value.issuers;
  if (!isObject(i) || !isHex32(i.departmentId) || typeof i.registered !== 'boolean' || !isHex32(i.certType) || !isTime(i.at) || typeof i.authorized !== 'boolean') {
    return bad('issuers');
  }
  const ledger = value.ledger === null ? null : parseRecord(value.ledger, bad);
  return {
    format: SNAPSHOT_FORMAT,
    takenAt: value.takenAt,
    certificateId: value.certificateId,
    targetHash: value.targetHash,
    anchor: {
      chainId: a.chainId,
      trustAnchor: a.trustAnchor,
      root: a.root,
      issuedAt: a.issuedAt,
      issuerAccount: a.issuerAccount,
      departmentId: a.departmentId,
      pathLength,
      revocations,
    },
    issuers: { departmentId: i.departmentId, registered: i.registered, certType: i.certType, at: i.at, authorized: i.authorized },
    ledger,
  };
}

/**
 * Checks a parsed bundle's structure (not its signatures or document; {@link verifyOfflineBundle} does those).
 *
 * @throws {@link BundleError} `CERT_BUNDLE.INVALID` naming what is malformed
 */
export function parseBundle(value: unknown): OfflineBundle {
  if (!isObject(value) || value.format !== BUNDLE_FORMAT) throw new BundleError('CERT_BUNDLE.INVALID', `This is not an offline bundle (format ${BUNDLE_FORMAT}).`);
  if (!isObject(value.document)) throw new BundleError('CERT_BUNDLE.INVALID', 'The bundle has no document.', { path: 'document' });
  const snapshot = parseSnapshot(value.snapshot);
  if (!Array.isArray(value.signatures) || value.signatures.length === 0 || value.signatures.length > 16) {
    throw new BundleError('CERT_BUNDLE.INVALID', 'The bundle needs 1 to 16 snapshot signatures.', { path: 'signatures' });
  }
  const signatures = value.signatures.map((s: unknown, index): BundleSignature => {
    if (!isObject(s) || typeof s.protected !== 'string' || typeof s.signature !== 'string') {
      throw new BundleError('CERT_BUNDLE.INVALID', 'A snapshot signature is malformed.', { path: `signatures[${index}]` });
    }
    return { protected: s.protected, signature: s.signature };
  });
  if (!Array.isArray(value.keys) || value.keys.length !== signatures.length) {
    throw new BundleError('CERT_BUNDLE.INVALID', 'The bundle needs one key per signature.', { path: 'keys' });
  }
  const keys = value.keys.map((key: unknown, index): BundleKey => {
    const jwk = isObject(key) ? key.jwk : undefined;
    if (!isObject(key) || typeof key.mspId !== 'string' || !MSP_ID.test(key.mspId) || !isObject(jwk)) {
      throw new BundleError('CERT_BUNDLE.INVALID', 'A bundle key is malformed.', { path: `keys[${index}]` });
    }
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
      throw new BundleError('CERT_BUNDLE.INVALID', 'A bundle key is not a P-256 public key.', { path: `keys[${index}].jwk` });
    }
    return { mspId: key.mspId, jwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y } };
  });
  return { format: BUNDLE_FORMAT, document: value.document as unknown as CertificateDocument, snapshot, signatures, keys };
}

/** Options of {@link createOfflineBundle}. */
export interface CreateBundleOptions {
  /** Department keys that sign the snapshot (at least one). */
  readonly signers: readonly SnapshotSigner[];
  /** The snapshot time (default: the clock). */
  readonly now?: Date;
}

/**
 * Makes an offline bundle: asks every port what the status checks need, and signs the answers.
 *
 * @throws {@link DocumentFormatError} when the document is unreadable or its batch proof is wrong
 * @throws {@link VerificationOptionsError} when a port or a signer is missing
 * @throws {@link PortUnavailableError} when a port cannot answer
 * @throws {@link BundleError} `CERT_BUNDLE.SIGNER_INVALID` when a signer key is not a P-256 private key
 */
export async function createOfflineBundle(document: CertificateDocument, ports: VerificationPorts, options: CreateBundleOptions): Promise<OfflineBundle> {
  const { anchor, issuers, ledger } = ports;
  if (anchor === undefined || issuers === undefined || ledger === undefined) throw new VerificationOptionsError('a bundle needs the anchor, issuer and ledger ports', 'ports');
  if (options.signers.length === 0) throw new VerificationOptionsError('a bundle needs at least one signer', 'signers');
  const k = await keccak();
  const read = readDocument(document);
  if ('unreadable' in read) throw new DocumentFormatError(read.unreadable.detail);
  const { targetHash, merkleRoot, merkleProof, certificateId, issuerMspId, typeCode } = read;
  if (targetHash === undefined || merkleRoot === undefined || merkleProof === undefined || certificateId === undefined || issuerMspId === undefined || typeCode === undefined) {
    throw new DocumentFormatError(read.integrityProblem?.detail ?? read.merkleProblem?.detail ?? 'The document cannot be bundled.');
  }
  let nodes: Hex32[];
  try {
    nodes = pathNodes(k, targetHash, merkleProof);
  } catch (err) {
    throw new DocumentFormatError('The document\'s Merkle proof is not a list of 32-byte hashes.', 'proof.merkleProof', err);
  }
  if (nodes[nodes.length - 1] !== merkleRoot) throw new DocumentFormatError('The document is not in the batch it names.');
  const departmentId = keccakText(issuerMspId);
  const certType = keccakText(typeCode);
  const [network, info, revocations, registered, record] = await Promise.all([
    anchor.network(),
    anchor.rootInfo(merkleRoot),
    anchor.revocations(nodes),
    issuers.isRegistered(departmentId),
    read.record === undefined ? Promise.resolve(null) : ledger.getCertificate({ channel: read.record.channel, chaincode: read.record.chaincode, certificateId }),
  ]);
  const authorized = info.issuedAt === 0 ? false : await issuers.isAuthorized(departmentId, certType, info.issuedAt);
  const snapshot: StatusSnapshot = {
    format: SNAPSHOT_FORMAT,
    takenAt: Math.floor((options.now ?? new Date()).getTime() / 1000),
    certificateId,
    targetHash,
    anchor: {
      chainId: network.chainId,
      trustAnchor: network.trustAnchor,
      root: merkleRoot,
      issuedAt: info.issuedAt,
      issuerAccount: info.issuerAccount,
      departmentId: info.departmentId,
      pathLength: merkleProof.length,
      revocations: nodes.flatMap((_, position) => {
        const r: NodeRevocation | undefined = revocations[position];
        if (r === undefined) throw new PortUnavailableError('anchor', 'the anchor reader answered for too few nodes');
        return r.at === 0 ? [] : [{ position, at: r.at, reasonCode: r.reasonCode }];
      }),
    },
    issuers: { departmentId, registered, certType, at: info.issuedAt, authorized },
    ledger: record === null ? null : parseRecord(record, (what) => {
      throw new PortUnavailableError('ledger', `the ledger record is malformed (${what})`);
    }),
  };
  const payload = snapshotBytes(snapshot);
  const keys: BundleKey[] = [];
  const signatures: BundleSignature[] = [];
  for (const signer of options.signers) {
    const { d, ...publicJwk } = signer.privateJwk;
    if (typeof d !== 'string' || !MSP_ID.test(signer.mspId)) throw new BundleError('CERT_BUNDLE.SIGNER_INVALID', 'A signer needs an MSP id and a P-256 private key (JWK with d).');
    keyIdOf(publicJwk);
    let key: Awaited<ReturnType<typeof importJWK>>;
    try {
      key = await importJWK(signer.privateJwk, 'ES256');
    } catch (err) {
      throw new BundleError('CERT_BUNDLE.SIGNER_INVALID', 'A signer key is not a usable P-256 private key.', { cause: err });
    }
    const jws = await new FlattenedSign(payload).setProtectedHeader({ alg: 'ES256', b64: false, crit: ['b64'] }).sign(key);
    signatures.push({ protected: jws.protected ?? '', signature: jws.signature });
    keys.push({ mspId: signer.mspId, jwk: { kty: 'EC', crv: 'P-256', x: String(publicJwk.x), y: String(publicJwk.y) } });
  }
  return { format: BUNDLE_FORMAT, document, snapshot, signatures, keys };
}

/** Options of {@link verifyOfflineBundle}. */
export interface VerifyBundleOptions extends VerifyOptions {
  /** Key ids (`keccak256(abi.encode(qx, qy))`) of department keys this verifier trusts. */
  readonly trustedKeyIds: readonly string[];
  /** Signatures needed from distinct departments (default 1). */
  readonly threshold?: number;
  /** Refuse snapshots older than this many seconds (default: any age; the details give the date). */
  readonly maxSnapshotAgeSeconds?: number;
}

/** A bundle verification: the usual result, plus who vouched for the snapshot. */
export interface BundleVerificationResult extends VerificationResult {
  readonly snapshot: {
    readonly takenAt: string;
    /** MSP ids of the trusted departments whose signatures verified. */
    readonly signedBy: readonly string[];
    readonly trusted: boolean;
  };
}

function refusingPorts(reason: string): VerificationPorts {
  const refuse = (port: string) => () => Promise.reject(new PortUnavailableError(port, reason));
  return {
    anchor: { network: refuse('anchor'), rootInfo: refuse('anchor'), revocations: refuse('anchor') },
    issuers: { isRegistered: refuse('issuers'), isAuthorized: refuse('issuers') },
    ledger: { getCertificate: refuse('ledger') },
  };
}

/** Ports that answer from a snapshot, and only about what the snapshot covers. */
export function snapshotPorts(snapshot: StatusSnapshot): Required<VerificationPorts> {
  const outside = (port: string): PortUnavailableError => new PortUnavailableError(port, 'the status snapshot does not cover this certificate');
  const a = snapshot.anchor;
  const revoked = new Map(a.revocations.map((r) => [r.position, { at: r.at, reasonCode: r.reasonCode }]));
  const answersRevocations = (nodes: readonly Hex32[]): NodeRevocation[] | undefined =>
    nodes.length === a.pathLength + 1 && nodes[0] === snapshot.targetHash && nodes[nodes.length - 1] === a.root
      ? nodes.map((_, position) => revoked.get(position) ?? { at: 0, reasonCode: 0 })
      : undefined;
  const rootInfo: RootInfo = { issuedAt: a.issuedAt, issuerAccount: a.issuerAccount, departmentId: a.departmentId };
  const anchor: AnchorReader = {
    observedAt: snapshot.takenAt,
    peekNetwork: () => ({ chainId: a.chainId, trustAnchor: a.trustAnchor }),
    peekRootInfo: (root) => (root === a.root ? rootInfo : undefined),
    peekRevocations: answersRevocations,
    network: () => Promise.resolve({ chainId: snapshot.anchor.chainId, trustAnchor: snapshot.anchor.trustAnchor }),
    rootInfo: (root) => (root === a.root ? Promise.resolve(rootInfo) : Promise.reject(outside('anchor'))),
    // Only the path from this targetHash to this root, whose inner nodes those two ends determine.
    revocations: (nodes) => {
      const answers = answersRevocations(nodes);
      return answers === undefined ? Promise.reject(outside('anchor')) : Promise.resolve(answers);
    },
  };
  const i = snapshot.issuers;
  const issuers: IssuerDirectory = {
    observedAt: snapshot.takenAt,
    isRegistered: (departmentId) => (departmentId === i.departmentId ? Promise.resolve(i.registered) : Promise.reject(outside('issuers'))),
    peekRegistered: (departmentId) => (departmentId === i.departmentId ? i.registered : undefined),
    peekAuthorized: (departmentId, certType, at) => (departmentId === i.departmentId && certType === i.certType && at === i.at ? i.authorized : undefined),
    isAuthorized: (departmentId, certType, at) =>
      departmentId === i.departmentId && certType === i.certType && at === i.at ? Promise.resolve(i.authorized) : Promise.reject(outside('issuers')),
  };
  const ledger: LedgerRecordReader = {
    observedAt: snapshot.takenAt,
    getCertificate: (query) => (query.certificateId === snapshot.certificateId ? Promise.resolve(snapshot.ledger) : Promise.reject(outside('ledger'))),
    peekCertificate: (query) => (query.certificateId === snapshot.certificateId ? snapshot.ledger : undefined),
  };
  return { anchor, issuers, ledger };
}

/** The MSP ids of trusted departments whose snapshot signatures verify. */
async function trustedSigners(bundle: OfflineBundle, trusted: ReadonlySet<string>): Promise<string[]> {
  const payload = snapshotBytes(bundle.snapshot);
  const signedBy = new Set<string>();
  for (const [i, signature] of bundle.signatures.entries()) {
    const key = bundle.keys[i];
    try {
      if (key === undefined || !trusted.has(keyIdOf(key.jwk))) continue;
      const header = decodeProtectedHeader({ protected: signature.protected });
      if (header.alg !== 'ES256' || header.b64 !== false) continue;
      await flattenedVerify({ protected: signature.protected, signature: signature.signature, payload }, await importJWK(key.jwk, 'ES256'));
      signedBy.add(key.mspId);
    } catch {
      // A signature that does not verify simply does not count.
    }
  }
  return [...signedBy].sort();
}

/**
 * Verifies a bundle with no network: the document's own checks as usual, the status checks from
 * the snapshot when at least `threshold` trusted departments signed it (otherwise those checks
 * fail, saying why).
 *
 * @throws {@link BundleError} `CERT_BUNDLE.INVALID` when the bundle's structure is malformed
 * @throws {@link VerificationOptionsError} for bad options (dates, threshold)
 */
export async function verifyOfflineBundle(input: unknown, options: VerifyBundleOptions): Promise<BundleVerificationResult> {
  const bundle = parseBundle(input);
  const threshold = options.threshold ?? 1;
  if (!Number.isSafeInteger(threshold) || threshold < 1) throw new VerificationOptionsError('threshold must be a positive whole number', 'threshold');
  await keccak();
  const now = options.now ?? new Date();
  const signedBy = await trustedSigners(bundle, new Set(options.trustedKeyIds.map((id) => id.toLowerCase())));
  const takenAt = bundle.snapshot.takenAt;
  let refusal: string | undefined;
  if (signedBy.length < threshold) {
    refusal =
      signedBy.length === 0
        ? "the bundle's status snapshot is not signed by a department key this verifier trusts"
        : `the bundle's status snapshot is signed by ${signedBy.length} trusted department${signedBy.length === 1 ? '' : 's'}, and ${threshold} are needed`;
  } else if (takenAt * 1000 > now.getTime() + 300_000) {
    refusal = "the bundle's status snapshot is dated in the future";
  } else if (options.maxSnapshotAgeSeconds !== undefined && now.getTime() / 1000 - takenAt > options.maxSnapshotAgeSeconds) {
    refusal = `the bundle's status snapshot is older than ${options.maxSnapshotAgeSeconds} seconds`;
  }
  const ports = refusal === undefined ? snapshotPorts(bundle.snapshot) : refusingPorts(refusal);
  const result = await verify(bundle.document, ports, options);
  return { ...result, snapshot: { takenAt: new Date(takenAt * 1000).toISOString(), signedBy, trusted: refusal === undefined } };
}

async function pump(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.length;
    if (length > limit) {
      await reader.cancel();
      throw new BundleError('CERT_BUNDLE.TOO_LARGE', `The bundle is larger than ${limit} bytes.`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function streamOf(data: Uint8Array): ReadableStream<Uint8Array<ArrayBuffer>> {
  const copy = new Uint8Array(data);
  return new ReadableStream<Uint8Array<ArrayBuffer>>({
    start(controller) {
      controller.enqueue(copy);
      controller.close();
    },
  });
}

/**
 * The QR payload of a bundle: `CTL1:` + base64url(deflate-raw(RFC 8785 form of the bundle)).
 *
 * @throws {@link BundleError} `CERT_BUNDLE.TOO_LARGE` when the payload exceeds what a QR code holds
 *   (hide fields, or share a link instead)
 */
export async function encodeQrPayload(bundle: OfflineBundle): Promise<string> {
  const text = canonicalize(bundle);
  if (text === undefined) throw new BundleError('CERT_BUNDLE.INVALID', 'The bundle cannot be serialised.');
  const deflated = await pump(streamOf(encoder.encode(text)).pipeThrough(new CompressionStream('deflate-raw')), MAX_BUNDLE_BYTES);
  const payload = QR_PREFIX + base64url.encode(deflated);
  if (payload.length > QR_MAX_BYTES) {
    throw new BundleError('CERT_BUNDLE.TOO_LARGE', `The QR payload would be ${payload.length} bytes; a QR code holds at most ${QR_MAX_BYTES}.`);
  }
  return payload;
}

/**
 * Reads a QR payload back into a bundle (structure checked, not yet verified).
 *
 * @throws {@link BundleError} `CERT_BUNDLE.INVALID` for a payload that is not ours or does not
 *   inflate to a bundle, `CERT_BUNDLE.TOO_LARGE` when it inflates beyond 1 MiB
 */
export async function decodeQrPayload(payload: string): Promise<OfflineBundle> {
  const text = payload.trim();
  if (!text.startsWith(QR_PREFIX)) throw new BundleError('CERT_BUNDLE.INVALID', `This QR code is not a certificate bundle (it does not start with ${QR_PREFIX}).`);
  let bytes: Uint8Array;
  try {
    bytes = base64url.decode(text.slice(QR_PREFIX.length));
  } catch (err) {
    throw new BundleError('CERT_BUNDLE.INVALID', 'The QR payload is not base64url.', { cause: err });
  }
  let inflated: Uint8Array;
  try {
    inflated = await pump(streamOf(bytes).pipeThrough(new DecompressionStream('deflate-raw')), MAX_BUNDLE_BYTES);
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError('CERT_BUNDLE.INVALID', 'The QR payload does not inflate.', { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(inflated));
  } catch (err) {
    throw new BundleError('CERT_BUNDLE.INVALID', 'The QR payload is not JSON.', { cause: err });
  }
  return parseBundle(json);
}
