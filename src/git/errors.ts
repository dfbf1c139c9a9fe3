// Turns simple-git failures into DssGitopsError with a message that names the operation and the place, and never
// shows credentials embedded in a remote URL.

import { DssGitopsError, UserError } from '../errors.js';
import type { ErrorFault } from '../errors.js';

/** Hides the user-info part of a URL (`https://user:token@host/...`), which may carry a token. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, '$1***@');
}

function gitMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // git prints multi-line hints; the first meaningful lines are enough. They may echo the remote URL.
  const lines = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('hint:'))
    .slice(0, 3)
    .join(' ');
  return lines.replace(/[a-z][a-z0-9+.-]*:\/\/[^/@\s]+@/gi, (prefix) => redactUrl(prefix));
}

export function gitError(
  operation: string,
  where: string,
  error: unknown,
  fault: ErrorFault = 'internal',
): DssGitopsError {
  return new DssGitopsError('git-failed', `git ${operation} failed in ${where}: ${gitMessage(error)}`, {
    fault,
    cause: error,
  });
}

export function unknownRefError(ref: string, where: string, error?: unknown): UserError {
  return new UserError('git-unknown-ref', `unknown git ref "${ref}" in ${where}: not a branch, tag or commit`, {
    cause: error,
  });
}
