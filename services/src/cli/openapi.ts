/**
 * `npm run openapi [-- --out <file>] [-- --without-dev-idp]`: prints the API's OpenAPI 3.1
 * document (or writes it to a file) without starting anything. The portal's `npm run
 * api:types` reads it from here.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { apiDocument, inertRouteTable } from '../routes';

function main(args: readonly string[]): void {
  const outIndex = args.indexOf('--out');
  const out = outIndex >= 0 ? args[outIndex + 1] : undefined;
  if (outIndex >= 0 && (out === undefined || out.startsWith('--'))) {
    process.stderr.write('openapi: --out needs a file name\n');
    process.exitCode = 2;
    return;
  }
  const document = apiDocument(inertRouteTable(!args.includes('--without-dev-idp')));
  const text = `${JSON.stringify(document, null, 2)}\n`;
  if (out === undefined) {
    process.stdout.write(text);
    return;
  }
  writeFileSync(path.resolve(out), text);
  process.stderr.write(`openapi: wrote ${path.resolve(out)}\n`);
}

main(process.argv.slice(2));
