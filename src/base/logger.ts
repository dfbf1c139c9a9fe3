// The logger every layer writes to: structured context first, then a message (`log.info({ address }, 'applied')`).
// Only the type lives here, so the HTTP client, the kinds and the reconciler log without depending on pino; the
// implementation (pino, scrubbed through the run's secrets) is `log/logger.ts`.

export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
