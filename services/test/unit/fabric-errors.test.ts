/**
 * Unit test of pure logic: how Fabric Gateway client errors map to the services' typed errors.
 * The errors are constructed as the fabric-gateway client constructs them.
 */
import { expect } from 'chai';
import type { ServiceError } from '@grpc/grpc-js';
import { CommitError, CommitStatusError, EndorseError, GatewayError, StatusCode } from '@hyperledger/fabric-gateway';
import { mapFabricError } from '../../src/ledger/fabric/fabric-ledger';
import { ChaincodeRejectedError, LedgerError } from '../../src/ledger/ledger-errors';

const cause = { code: 10, details: 'failed', metadata: undefined } as unknown as ServiceError;
const TX = 'a'.repeat(64);

describe('Fabric error mapping (unit)', () => {
  it('keeps a chaincode code from an endorser detail, with its HTTP status and the transaction id', () => {
    const err = new EndorseError({
      code: 10,
      details: [{ address: 'peer0:7051', mspId: 'CivilAffairsMSP', message: 'chaincode response 500, CERT.NOT_FOUND: certificate c-1 does not exist' }],
      cause,
      transactionId: TX,
      message: 'failed to endorse transaction, see attached details for more info',
    });
    const mapped = mapFabricError(err, 'certificate:GetCertificate');
    expect(mapped).to.be.instanceOf(ChaincodeRejectedError);
    expect(mapped).to.include({ code: 'CERT.NOT_FOUND', status: 404, transactionId: TX, message: 'certificate c-1 does not exist' });
  });

  it('finds the code in an evaluate error message too', () => {
    const err = new GatewayError({ code: 2, details: [], cause, message: 'evaluate call to endorser returned error: chaincode response 500, AUTH.DENIED: caller lacks role officer' });
    expect(mapFabricError(err, 'x')).to.include({ code: 'AUTH.DENIED', status: 403 });
  });

  it('maps gRPC unavailability, deadlines and permission errors', () => {
    const unavailable = mapFabricError(new GatewayError({ code: 14, details: [], cause, message: 'connect ECONNREFUSED' }), 'x');
    if (!(unavailable instanceof LedgerError)) throw new Error('expected a LedgerError');
    expect(unavailable).to.include({ code: 'LEDGER.UNAVAILABLE', status: 503 });
    expect(unavailable.headers['Retry-After']).to.equal('2');
    expect(mapFabricError(new GatewayError({ code: 4, details: [], cause }), 'x')).to.include({ code: 'LEDGER.TIMEOUT', status: 504 });
    expect(mapFabricError(new GatewayError({ code: 7, details: [], cause }), 'x')).to.include({ code: 'LEDGER.ACCESS_DENIED', status: 403 });
  });

  it('maps commit failures: MVCC conflicts to 409 LEDGER.CONFLICT, other validation codes to 502', () => {
    expect(mapFabricError(new CommitError({ code: StatusCode.MVCC_READ_CONFLICT, transactionId: TX }), 'x')).to.include({ code: 'LEDGER.CONFLICT', status: 409, transactionId: TX });
    const policy = mapFabricError(new CommitError({ code: StatusCode.ENDORSEMENT_POLICY_FAILURE, transactionId: TX }), 'x');
    expect(policy).to.include({ code: 'LEDGER.TRANSACTION_INVALID', status: 502 });
    expect(policy.message).to.include('ENDORSEMENT_POLICY_FAILURE');
  });

  it('reports an unconfirmed commit as LEDGER.COMMIT_UNKNOWN so the client retries with its key', () => {
    const err = new CommitStatusError({ code: 4, details: [], cause, transactionId: TX });
    expect(mapFabricError(err, 'x')).to.include({ code: 'LEDGER.COMMIT_UNKNOWN', status: 504, transactionId: TX });
  });

  it('treats contract-api argument errors as a contract mismatch of the services, not the client', () => {
    const err = new EndorseError({ code: 10, details: [{ address: 'p', mspId: 'M', message: 'chaincode response 500, Expected 5 parameters, but 2 have been supplied' }], cause, transactionId: TX });
    expect(mapFabricError(err, 'x')).to.include({ code: 'LEDGER.CONTRACT_MISMATCH', status: 500 });
  });
});
