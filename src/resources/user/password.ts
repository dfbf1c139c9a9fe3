// How a user's password is compared without ever being shown or read: DSS never gives a password back, so there
// is nothing to compare it with. The declared password stands in for the live one (no change) and the plan says
// so in a notice; the annotation `dss-gitops/rotate-password: "true"` plans it as a change, which writes it. A
// password is written on creation, and whenever a planned change needs it written; never sent otherwise.
// A password must come from `${secret:..}`: a literal one would sit in Git. It is refused when the manifests are
// loaded (`checkLiteralPassword`: validate, and plan before any request), and again at plan time for a document
// made otherwise.

import type { ManifestDocument } from '../../manifest/types.js';
import type { DocumentCheck, LoadingDocument } from '../types.js';

export const ROTATE_PASSWORD_ANNOTATION = 'dss-gitops/rotate-password';
export const PASSWORD_POINTER = '/spec/password';

export type PasswordState =
  /** No password declared. */
  | 'none'
  /** A literal text in the manifest: refused. */
  | 'literal'
  /** Declared from `${secret:..}`, not to be written unless the user is created. */
  | 'declared'
  /** Declared, and the annotation asks for it to be written. */
  | 'rotate';

export function passwordState(doc: ManifestDocument): PasswordState {
  if (typeof doc.spec.password !== 'string') return 'none';
  if (!doc.sensitivePaths.includes(PASSWORD_POINTER)) return 'literal';
  return doc.metadata.annotations?.[ROTATE_PASSWORD_ANNOTATION] === 'true' ? 'rotate' : 'declared';
}

export function literalPasswordError(address: string): string {
  return `${address}: spec.password is a literal text in the manifest; a password never sits in Git: use \${secret:NAME} and export NAME in the environment`;
}

export function passwordNotice(address: string): string {
  return (
    `${address}: password cannot be compared (DSS never gives it back); ` +
    `annotate ${ROTATE_PASSWORD_ANNOTATION}: "true" to write the declared password`
  );
}

/**
 * `checkDocument`: a literal `spec.password` is an error at its value's line and column, and a secret of the run
 * all the same (no output shows it).
 */
export function checkLiteralPassword(doc: LoadingDocument, address: string): DocumentCheck {
  const password = doc.spec.password;
  if (typeof password !== 'string' || doc.sensitivePointers.includes(PASSWORD_POINTER) || doc.unresolvedPointers.includes(PASSWORD_POINTER)) return {};
  const problem = { ...doc.valuePosition(PASSWORD_POINTER), message: literalPasswordError(address) };
  return { problems: [problem], ...(password === '' ? {} : { secrets: [password] }) };
}
