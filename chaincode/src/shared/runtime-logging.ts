/**
 * Drops the Node chaincode runtime's log lines below their level before winston formats them.
 *
 * fabric-shim and fabric-contract-api log through winston, which runs every line through its
 * formatters (timestamp, metadata, colours, padding, `printf` with a JSON dump of the arguments)
 * and only then lets the console transport discard those below `CORE_CHAINCODE_LOGGING_LEVEL`.
 * The shim logs several debug lines per message it exchanges with the peer, so at the default
 * WARNING level about a fifth of this process's CPU went into lines nobody sees (a `--cpu-prof`
 * profile of the certificate batch benchmark: 1.2 s of 5.5 s busy). Here a line whose level the
 * logger would not print is dropped at `write`, before any of that; every line that is printed
 * is printed exactly as before. It is part of the chaincode package, so it runs on Fabric too.
 *
 * The winston copy patched is the one fabric-shim and fabric-contract-api resolve, whatever copy
 * this package would get by its own `require`.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

interface WinstonLogger {
  isLevelEnabled(level: string): boolean;
  write: (this: WinstonLogger, chunk: unknown, ...rest: unknown[]) => boolean;
}

interface WinstonModule {
  Logger: { prototype: WinstonLogger & { __ctlLevelFilter?: true } };
}

const LEVEL = Symbol.for('level');

function winstonOf(runtimePackage: string): WinstonModule | undefined {
  try {
    const local = createRequire(__filename);
    const runtimeDir = path.dirname(local.resolve(`${runtimePackage}/package.json`));
    return createRequire(path.join(runtimeDir, 'package.json'))('winston') as WinstonModule;
  } catch {
    // Not installed the usual way: leave its logging as it is.
    return undefined;
  }
}

/** Installs the level check on the winston copies the runtime uses; idempotent. */
export function dropUnprintedRuntimeLogLines(): void {
  for (const runtimePackage of ['fabric-shim', 'fabric-contract-api']) {
    const proto = winstonOf(runtimePackage)?.Logger.prototype;
    if (proto === undefined || proto.__ctlLevelFilter === true) continue;
    const write = proto.write;
    proto.write = function (this: WinstonLogger, chunk: unknown, ...rest: unknown[]): boolean {
      if (typeof chunk === 'object' && chunk !== null) {
        const info = chunk as { [LEVEL]?: unknown; level?: unknown };
        const level = info[LEVEL] ?? info.level;
        if (typeof level === 'string' && !this.isLevelEnabled(level)) return true;
      }
      return write.call(this, chunk, ...rest);
    };
    proto.__ctlLevelFilter = true;
  }
}
