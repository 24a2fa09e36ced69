/**
 * gRPC errors in the shape Fabric's gateway sends them (`newRpcError` in apiutils.go): a status
 * code, a message, and `grpc-status-details-bin` carrying a google.rpc.Status whose details are
 * `gateway.ErrorDetail{address, msp_id, message}`, which the client surfaces as
 * `GatewayError.details`.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { gateway, google } from '@hyperledger/fabric-protos';
import { Any } from 'google-protobuf/google/protobuf/any_pb';

/** One `gateway.ErrorDetail`. */
export interface ErrorDetail {
  address: string;
  mspId: string;
  message: string;
}

/** Builds a grpc-js ServiceError with Fabric's status details. */
export function rpcError(code: status, message: string, details: readonly ErrorDetail[] = []): Partial<ServiceError> {
  const metadata = new Metadata();
  const st = new google.rpc.Status();
  st.setCode(code);
  st.setMessage(message);
  st.setDetailsList(
    details.map((d) => {
      const detail = new gateway.ErrorDetail();
      detail.setAddress(d.address);
      detail.setMspId(d.mspId);
      detail.setMessage(d.message);
      const any = new Any();
      any.setTypeUrl('type.googleapis.com/gateway.ErrorDetail');
      any.setValue(detail.serializeBinary());
      return any;
    }),
  );
  metadata.set('grpc-status-details-bin', Buffer.from(st.serializeBinary()));
  return { code, details: message, message, metadata };
}
