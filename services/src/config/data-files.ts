/**
 * Files the services create once in `DATA_DIR` and read ever after (the subject reference
 * secret, the development identity provider's key). Several processes may start together (API
 * instances, a worker): the first file written wins and every process reads that one.
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The contents of `file`; when there is none, `make()`'s, written there (mode 0600, directory
 * 0700) unless another process wrote the file meanwhile. `make` runs only when the file is missing. The file is written whole under a temporary name and then linked into place, which
 * fails instead of replacing a file another process linked first: a crash never leaves a
 * truncated file, and two processes never end up with different ones.
 *
 * @returns the file's contents: what `make` gave, or what another process wrote first
 * @throws when the file cannot be read or written
 */
export async function createOnce(file: string, make: () => string | Promise<string>): Promise<string> {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${String(process.pid)}.tmp`;
  const ours = await make();
  writeFileSync(tmp, ours, { mode: 0o600 });
  try {
    linkSync(tmp, file);
    return ours;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return readFileSync(file, 'utf8');
  } finally {
    rmSync(tmp, { force: true });
  }
}
