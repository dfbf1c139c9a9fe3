// The logger of dss-gitops: pino JSON lines on stderr, pretty-printed when stderr is a terminal. Known secret
// fields are censored by path, and every finished line goes through the secret registry, so secret values are
// removed wherever they appear (messages, error texts, nested objects).

import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';
import type { Logger } from '../base/logger.js';
import { REDACTED, SecretRegistry } from '../base/secrets.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface LoggerOptions {
  level?: LogLevel;
  /** Human-readable lines instead of JSON; default: whether stderr is a terminal. */
  pretty?: boolean;
  /** Where lines go; default stderr. Tests pass a stream of their own. */
  destination?: DestinationStream | NodeJS.WritableStream;
  /** Secret values to remove from every line; the registry may grow after the logger is created. */
  secrets?: SecretRegistry | Iterable<string>;
}

export type AppLogger = Logger & Pick<PinoLogger, 'child' | 'level' | 'trace' | 'fatal' | 'flush'>;

const SECRET_KEYS = ['apiKey', 'adminApiKey', 'authorization', 'Authorization', 'password', 'secret', 'token'];

/** Censored wherever they are a field of the log object or of an object one level down. */
export const REDACT_PATHS = [
  ...SECRET_KEYS,
  ...SECRET_KEYS.map((key) => `*.${key}`),
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
];

/** pino-pretty is loaded only for a terminal: it and its dependencies are a third of the logger's start-up. */
function loadPinoPretty(): typeof PinoPretty {
  return createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
}

export function createLogger(options: LoggerOptions = {}): AppLogger {
  const secrets = options.secrets instanceof SecretRegistry ? options.secrets : new SecretRegistry(options.secrets);
  const target = options.destination ?? process.stderr;
  const pretty = options.pretty ?? process.stderr.isTTY;
  const format = pretty
    ? loadPinoPretty().prettyFactory({
        // Colours only for a terminal: a captured stream (a test, a file) gets plain text.
        colorize: options.destination === undefined && process.stderr.isTTY,
        translateTime: 'HH:MM:ss.l',
        ignore: 'pid,hostname',
      })
    : undefined;
  const destination: DestinationStream = {
    write(line: string): void {
      const clean = secrets.redact(line);
      target.write(format === undefined ? clean : format(clean));
    },
  };
  return pino(
    {
      level: options.level ?? 'info',
      base: null,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
    },
    destination,
  );
}
