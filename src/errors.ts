// The one error base class of dss-gitops. Every error says whose fault it is, so that only the CLI decides
// how to print it and which exit code it maps to.

export type ErrorFault = 'user' | 'remote' | 'internal';

export class DssGitopsError extends Error {
  readonly code: string;
  readonly fault: ErrorFault;

  constructor(code: string, message: string, options: { fault?: ErrorFault; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.fault = options.fault ?? 'internal';
  }
}

/** Bad input from the user: manifests, flags, configuration. Reported, never retried. */
export class UserError extends DssGitopsError {
  constructor(code: string, message: string, options: { cause?: unknown } = {}) {
    super(code, message, { ...options, fault: 'user' });
  }
}
