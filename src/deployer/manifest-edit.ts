// Rewrites one scalar of one document in a multi-document YAML text, in place: the yaml library's Document API
// finds the node and its exact source range, only those characters are replaced, and the result is parsed again
// to prove that nothing else changed. Comments, blank lines, quoting style, line endings and the other documents
// stay byte for byte. Pure.

import { isDeepStrictEqual } from 'node:util';
import { isAlias, isScalar, parseAllDocuments, type Document } from 'yaml';
import { UserError } from '../errors.js';

export interface ScalarEdit {
  /** Which document to edit, from its plain value (e.g. kind and metadata.name). */
  matches: (value: unknown) => boolean;
  /** What the document is, for messages: `Deployment/churn-prod`. */
  describe: string;
  /** Path of the scalar from the document root, e.g. `['spec', 'bundleId']`. */
  path: string[];
  value: string;
}

export interface ScalarEditResult {
  text: string;
  /** 1-based line of the edited scalar. */
  line: number;
  previous: string;
}

function quoteSingle(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Renderings of `value` to try, the original quoting style first; double quotes always work. */
function renderings(type: string | undefined, value: string): string[] {
  const double = JSON.stringify(value);
  if (type === 'PLAIN') return [value, double];
  if (type === 'QUOTE_SINGLE') return [quoteSingle(value), double];
  return [double];
}

/** The plain values of every document; throws when the text does not parse cleanly. */
function plainValues(text: string): unknown[] {
  const docs = parseAllDocuments(text);
  if (docs.some((doc) => doc.errors.length > 0)) throw new Error('invalid YAML');
  return docs.map((doc) => (doc as Document).toJS({ maxAliasCount: 1000 }) as unknown);
}

function withValue(root: unknown, path: string[], value: string): unknown {
  const copy = structuredClone(root) as Record<string, unknown>;
  let node: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1] as string] = value;
  return copy;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Sets the scalar at `edit.path` of the one document that `edit.matches`; throws a user error when it cannot. */
export function editScalar(text: string, file: string, edit: ScalarEdit): ScalarEditResult {
  const docs = parseAllDocuments(text);
  const broken = docs.find((d) => d.errors.length > 0);
  if (broken) throw new UserError('PROMOTE_EDIT_FAILED', `${file} is not valid YAML: ${broken.errors[0]?.message ?? ''}`);
  const values = docs.map((d) => d.toJS({ maxAliasCount: 1000 }) as unknown);
  const indexes = values.flatMap((v, i) => (edit.matches(v) ? [i] : []));
  if (indexes.length !== 1) {
    throw new UserError('PROMOTE_EDIT_FAILED', `${file} holds ${indexes.length} documents of ${edit.describe}, not exactly one`);
  }
  const index = indexes[0] as number;
  const doc = docs[index] as Document;
  const where = `${edit.describe} in ${file}`;
  const node: unknown = doc.getIn(edit.path, true);
  if (isAlias(node)) throw new UserError('PROMOTE_EDIT_FAILED', `${edit.path.join('.')} of ${where} is an alias: edit its anchor by hand`);
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) {
    throw new UserError('PROMOTE_EDIT_FAILED', `${edit.path.join('.')} of ${where} is not a string`);
  }
  if (node.anchor !== undefined) {
    throw new UserError('PROMOTE_EDIT_FAILED', `${edit.path.join('.')} of ${where} carries an anchor that other values may use: edit it by hand`);
  }
  if (node.value.includes('${')) {
    throw new UserError(
      'PROMOTE_EDIT_FAILED',
      `${edit.path.join('.')} of ${where} is interpolated (${node.value}): change the variable it comes from instead`,
    );
  }
  const [start, end] = node.range;
  const expected = values.map((v, i) => (i === index ? withValue(v, edit.path, edit.value) : v));
  for (const rendered of renderings(node.type, edit.value)) {
    const candidate = text.slice(0, start) + rendered + text.slice(end);
    let reparsed: unknown[];
    try {
      reparsed = plainValues(candidate);
    } catch {
      continue;
    }
    if (isDeepStrictEqual(reparsed, expected)) return { text: candidate, line: lineAt(text, start), previous: node.value };
  }
  throw new UserError('PROMOTE_EDIT_FAILED', `could not rewrite ${edit.path.join('.')} of ${where} without changing anything else`);
}
