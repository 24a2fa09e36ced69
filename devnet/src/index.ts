/**
 * Public interface of the devnet: start a network in-process, read and validate network files,
 * enrol identities. Everything else under `devnet/src` is internal.
 */
export { startDevnet } from './network';
export type { Devnet, StartDevnetOptions } from './network';
export { DEFAULT_NETWORK_FILE, loadNetworkConfig, parseNetworkConfig } from './config';
export type { ChaincodeConfig, CollectionConfig, IdentityConfig, NetworkConfig, OrganizationConfig } from './config';
export { enrollIdentity } from './bootstrap';
export type { ConnectionFile, EnrollOptions } from './bootstrap';
export { ConfigError, DevnetError, LedgerCorruptError, PolicySyntaxError } from './errors';
export type { DevnetErrorCode } from './errors';
export { parsePolicy, parseEndorsementPolicy } from './policy/policy';
export { policyToBytes } from './policy/envelope';
