// Types for the fabric-shim internals the test peer drives. fabric-chaincode-node wires these
// two the same way when it runs a contract package (lib/contract-spi/bootstrap.js).
declare module 'fabric-shim/lib/handler' {
  import type { EventEmitter } from 'node:events';
  export interface ShimStream extends EventEmitter {
    write(message: unknown): void;
    end(): void;
  }
  export class ChaincodeMessageHandler {
    constructor(stream: ShimStream, chaincode: unknown);
    chat(registerMessage: unknown): void;
  }
}

declare module 'fabric-shim/lib/contract-spi/chaincodefromcontract' {
  class ChaincodeFromContract {
    constructor(contracts: unknown[], serializers: unknown, metadata: object, title: string, version: string);
    Invoke(stub: unknown): Promise<unknown>;
    metadata: unknown;
  }
  export = ChaincodeFromContract;
}
