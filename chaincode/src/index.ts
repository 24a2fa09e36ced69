/**
 * Chaincode `ctl`: the contracts fabric-chaincode-node loads, the default (`certificate`) first.
 */
import { CertificateContract } from './certificate/contract';
import { EvidenceContract } from './evidence/contract';
import { TimeBankContract } from './timebank/contract';

export { CertificateContract } from './certificate/contract';
export { EvidenceContract } from './evidence/contract';
export { TimeBankContract } from './timebank/contract';

export const contracts = [CertificateContract, EvidenceContract, TimeBankContract];
