// Checks a value against a JSON Schema with ajv and words each error for a person: at the position of the node
// it is about, with the nearest valid name for an unknown field and the allowed values of an enum.

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as AjvModule from 'ajv';
import type { Ajv, ErrorObject, Options, ValidateFunction } from 'ajv';
import { didYouMean } from './did-you-mean.js';
import { describePointer, isWithin, joinPointer } from './json-pointer.js';
import type { NodePositions } from './positions.js';
import type { Problem } from './problem.js';

/** A JSON Schema object (draft 2020-12), as ajv takes it. */
export type JsonSchema = Record<string, unknown>;

/**
 * The one ajv configuration of the manifests' schemas, for the schemas compiled here and for the build, which
 * writes ajv's standalone code of the shipped schemas (scripts/precompile-schemas.mjs): both must make the same
 * validators, or the precompiled ones would word errors differently. ajv is loaded only when called.
 */
export function newAjv(extra: Options = {}): Ajv {
  const { Ajv: AjvClass } = createRequire(import.meta.url)('ajv') as typeof AjvModule;
  const ajv = new AjvClass({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false, ...extra });
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  return ajv;
}

/** The name of a schema's precompiled validator: a hash of its JSON, so that a schema changed since the build has none. */
export function schemaKey(schema: JsonSchema): string {
  return createHash('sha256').update(JSON.stringify(schema)).digest('hex').slice(0, 32);
}

/** Where the build writes the shipped schemas' validators (`dist/schemas/KEY.cjs`); from source there are none. */
const fromPrecompiled = createRequire(new URL('../schemas/', import.meta.url));

const compiled = new WeakMap<JsonSchema, ValidateFunction>();
let compiler: Ajv | undefined;

function precompiled(schema: JsonSchema): ValidateFunction | undefined {
  try {
    return fromPrecompiled(`./${schemaKey(schema)}.cjs`) as ValidateFunction;
  } catch (error) {
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}

/** The schema's validator: the build's when it is a shipped schema unchanged since the build, else compiled. */
function validatorOf(schema: JsonSchema): ValidateFunction {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = precompiled(schema);
    if (!validate) {
      compiler ??= newAjv();
      validate = compiler.compile(schema);
    }
    compiled.set(schema, validate);
  }
  return validate;
}

/**
 * The problems of `value` against `schema`; errors at or below `skipPointers` are left out, and values at
 * `sensitivePointers` are never quoted in a message.
 */
export function checkSchema(
  schema: JsonSchema,
  value: unknown,
  positions: NodePositions,
  skipPointers: readonly string[] = [],
  sensitivePointers: readonly string[] = [],
): Problem[] {
  const validate = validatorOf(schema);
  if (validate(value)) return [];
  const errors = relevantErrors(validate.errors ?? []).filter(
    (e) => !skipPointers.some((p) => isWithin(e.instancePath, p)),
  );
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const error of errors) {
    const sensitive = sensitivePointers.some((p) => isWithin(error.instancePath, p) || isWithin(p, error.instancePath));
    const problem = translate(error, positions, sensitive ? () => '(sensitive value)' : show);
    const key = `${problem.line}:${problem.column}:${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}

/**
 * Drops errors that only repeat others: `if` failures, and the failures inside a `oneOf`/`anyOf`. When the value's
 * type fits exactly one branch, that branch's own errors are the useful ones and the `oneOf` error is dropped.
 */
function relevantErrors(errors: ErrorObject[]): ErrorObject[] {
  const dropped = new Set<ErrorObject>();
  for (const error of errors) {
    if (error.keyword === 'if') dropped.add(error);
    if (error.keyword !== 'oneOf' && error.keyword !== 'anyOf') continue;
    const inner = errors.filter((e) => e.schemaPath.startsWith(`${error.schemaPath}/`));
    const branches = new Map<string, ErrorObject[]>();
    for (const e of inner) {
      const branch = e.schemaPath.slice(error.schemaPath.length + 1).split('/')[0] ?? '';
      branches.set(branch, [...(branches.get(branch) ?? []), e]);
    }
    const fitting = [...branches.values()].filter(
      (list) => !list.some((e) => e.keyword === 'type' && e.instancePath === error.instancePath),
    );
    const branchCount = Array.isArray(error.schema) ? error.schema.length : 0;
    const mismatched = branchCount - fitting.length;
    if (fitting.length === 1 && mismatched === branchCount - 1) {
      dropped.add(error);
      for (const e of inner) if (!fitting[0]?.includes(e)) dropped.add(e);
    } else {
      for (const e of inner) dropped.add(e);
    }
  }
  return errors.filter((e) => !dropped.has(e));
}

function subject(pointer: string): string {
  return pointer === '' ? 'the document' : `\`${describePointer(pointer)}\``;
}

function where(pointer: string): string {
  return pointer === '' ? '' : ` in ${describePointer(pointer)}`;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}

const TYPE_NAMES: Record<string, string> = {
  object: 'a mapping',
  array: 'a list',
  integer: 'an integer',
  number: 'a number',
  string: 'a string',
  boolean: 'a boolean',
  null: 'null',
};

function show(value: unknown): string {
  return `\`${typeof value === 'string' ? value : JSON.stringify(value)}\``;
}

function customMessage(error: ErrorObject): string | undefined {
  const parent = error.parentSchema as { errorMessage?: unknown } | undefined;
  return typeof parent?.errorMessage === 'string' ? parent.errorMessage : undefined;
}

function translate(error: ErrorObject, positions: NodePositions, quote: (value: unknown) => string): Problem {
  const pointer = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = didYouMean(field, known);
      return {
        ...positions.fieldPosition(joinPointer(pointer, field)),
        message: `unknown field \`${field}\`${where(pointer)}`,
        ...(hint === undefined ? {} : { hint }),
      };
    }
    case 'required':
      return {
        ...positions.fieldPosition(pointer),
        message: `missing required field \`${String(params.missingProperty)}\`${where(pointer)}`,
      };
    case 'type': {
      const expected = String(params.type)
        .split(',')
        .map((t) => TYPE_NAMES[t] ?? t)
        .join(' or ');
      return {
        ...positions.valuePosition(pointer),
        message: `${subject(pointer)} must be ${expected}, not ${describeValue(error.data)}`,
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof error.data === 'string' ? didYouMean(error.data, allowed) : undefined;
      return {
        ...positions.valuePosition(pointer),
        message: `${subject(pointer)} must be one of ${allowed.map((v) => `\`${v}\``).join(', ')}, not ${quote(error.data)}`,
        ...(hint === undefined ? {} : { hint }),
      };
    }
    case 'const':
      return {
        ...positions.valuePosition(pointer),
        message: `${subject(pointer)} must be ${show(params.allowedValue)}, not ${quote(error.data)}`,
      };
    case 'uniqueItems': {
      // The repeated item, i.e. the later of the two.
      const repeated = Math.max(Number(params.i), Number(params.j));
      return {
        ...positions.valuePosition(joinPointer(pointer, repeated)),
        message: `${subject(pointer)} lists ${quote((error.data as unknown[])[repeated])} twice`,
      };
    }
    case 'not':
      return {
        ...positions.fieldPosition(offendingField(error, positions)),
        message: customMessage(error) ?? `${subject(pointer)} is not allowed here`,
      };
    case 'oneOf':
    case 'anyOf':
      return {
        ...positions.fieldPosition(pointer),
        message: customMessage(error) ?? `${subject(pointer)} matches none of the allowed forms`,
      };
    default: {
      const custom = customMessage(error);
      const detail = custom ?? error.message ?? 'is invalid';
      const tail = error.keyword === 'pattern' && typeof error.data === 'string' ? `, not ${quote(error.data)}` : '';
      return { ...positions.valuePosition(pointer), message: `${subject(pointer)} ${detail}${tail}` };
    }
  }
}

/** For a `not: {required: [...]}` failure: the field that should not be there, the last one in the file. */
function offendingField(error: ErrorObject, positions: NodePositions): string {
  const names = requiredNames(error.schema);
  const data = error.data as Record<string, unknown> | undefined;
  const present = names.filter((n) => data !== undefined && Object.hasOwn(data, n)).map((n) => joinPointer(error.instancePath, n));
  const byPosition = present.sort((a, b) => {
    const pa = positions.fieldPosition(a);
    const pb = positions.fieldPosition(b);
    return pa.line - pb.line || pa.column - pb.column;
  });
  return byPosition.at(-1) ?? error.instancePath;
}

function requiredNames(schema: unknown): string[] {
  if (schema === null || typeof schema !== 'object') return [];
  const s = schema as { required?: unknown; anyOf?: unknown; oneOf?: unknown };
  const own = Array.isArray(s.required) ? s.required.map(String) : [];
  const nested = [...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])].flatMap(requiredNames);
  return [...own, ...nested];
}
