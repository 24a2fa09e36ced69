/**
 * The services' one logger (pino, JSON lines). Log lines carry ids (request, transaction,
 * certificate, outbox entry) and never personal data or tokens: the redaction list below is a
 * safety net, not a licence to log request bodies or headers.
 */
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'idNumber',
  '*.idNumber',
  'signerKey',
  '*.signerKey',
  'secret',
  '*.secret',
];

/**
 * Creates the root logger. Child loggers (`logger.child({ requestId })`) add context.
 *
 * @param level - minimum level; `silent` turns logging off (tests).
 * @param destination - where lines go; stdout by default.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'ctl-services' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
