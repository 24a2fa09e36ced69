/**
 * Where the devnet's own files live. The sources run from `devnet/src` (ts-node) or compiled from
 * `dist/devnet/src` (`npm run build:devnet`); files that are not compiled — the default network
 * file and the chaincode preload script — are always taken from the source folder.
 */
import { join, resolve, sep } from 'node:path';

const COMPILED = `${sep}dist${sep}devnet${sep}src`;

function devnetDir(): string {
  const here = resolve(__dirname);
  return here.endsWith(COMPILED) ? join(here.slice(0, -COMPILED.length), 'devnet') : resolve(here, '..');
}

/** The repository's `devnet` folder. */
export const DEVNET_DIR = devnetDir();
