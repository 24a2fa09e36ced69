/**
 * The machine's floor for an HTTP benchmark: a bare Express 5 app that parses a JSON body
 * (`express.json`, as the API does) and answers a constant, with none of the API's pipeline
 * (request context, security headers, rate limit, authorisation, validation, metrics) and no work
 * behind it. `load.ts` measures it with the same tool, body and connections as the route it is
 * compared with, so a figure the machine itself cannot reach at that moment shows as such.
 *
 *   node -r ts-node/register/transpile-only services/bench/floor-server.ts
 *
 * Listens on a free port of 127.0.0.1, prints `{"port":N}` on stdout, and exits when its stdin
 * closes (its parent is gone) or on SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import express from 'express';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.post('/floor', express.json({ limit: '1mb' }), (req, res) => {
  res.json({ ok: true, keys: Object.keys((req.body ?? {}) as object).length });
});
const server = app.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
const stop = (): void => {
  server.close();
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
