// Checks of DSS answers at the boundary: a kind reads a raw object through these, so an answer of an unexpected
// shape is an error naming the route and the field, never an empty object that a GET-modify-PUT would then write
// back over the real one. Absence (404, or a block DSS leaves out) stays absence; only a present value of the
// wrong type is refused. The message describes the value's type, never its content (it may hold a secret).

import { isObject, type Json } from '../base/json.js';
import { DssGitopsError } from '../errors.js';

export class UnexpectedAnswerError extends DssGitopsError {
  readonly route: string;
  readonly field: string | undefined;

  constructor(route: string, field: string | undefined, value: unknown, expected: string) {
    const what = field === undefined ? 'its body' : `field \`${field}\``;
    super('DSS_UNEXPECTED_ANSWER', `DSS answered ${route} with ${describe(value)} as ${what}, where ${expected} was expected; nothing was written from it`, {
      fault: 'remote',
    });
    this.route = route;
    this.field = field;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value === undefined) return 'nothing';
  return `a ${typeof value}`;
}

/** The answer of `route` (e.g. `GET /projects/CHURN/metadata`), which must be a JSON object. */
export function objectAnswer(value: unknown, route: string): Json {
  if (!isObject(value)) throw new UnexpectedAnswerError(route, undefined, value, 'a JSON object');
  return value;
}

/** As `objectAnswer`, with `undefined` (absent: 404) passed through. */
export function objectOrAbsent(value: unknown, route: string): Json | undefined {
  return value === undefined ? undefined : objectAnswer(value, route);
}

/**
 * The object under `key` of an answer (`field` names it in the message when it is nested: `custom.kv`): `{}` when
 * DSS leaves it out or sends `null`, an error when it holds anything else than an object.
 */
export function objectField(owner: Json, key: string, route: string, field: string = key): Json {
  const value = owner[key];
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new UnexpectedAnswerError(route, field, value, 'a JSON object');
  return value;
}
