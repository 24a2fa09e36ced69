/**
 * Chaincode `ctl`: the contracts fabric-chaincode-node loads, the default (`certificate`) first.
 */
import { CertificateContract } from './certificate/contract';
import { EvidenceContract } from './evidence/contract';
import { dropUnprintedRuntimeLogLines } from './shared/runtime-logging';
import { TimeBankContract } from './timebank/contract';

// Before the runtime handles any message: its debug lines cost a fifth of the CPU (see the module).
dropUnprintedRuntimeLogLines();

export { CertificateContract } from './certificate/contract';
export { EvidenceContract } from './evidence/contract';
export { TimeBankContract } from './timebank/contract';

export const contracts = [CertificateContract, EvidenceContract, TimeBankContract];
