/**
 * Chaincode `ctl`: the contracts fabric-chaincode-node loads, the default (`certificate`) first.
 */
import { CertificateContract } from './certificate/contract';

export { CertificateContract } from './certificate/contract';

export const contracts = [CertificateContract];
