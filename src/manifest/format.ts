// Canonical formatting of manifest files (`dss-gitops fmt`). Pure: text in, text out. Keys are put in the order
// the kind's schema declares them (apiVersion, kind, metadata, spec; in metadata name, project, annotations; in
// spec and below, the order of the schema's `properties`, e.g. `id` first in steps and triggers); keys the
// schema does not name (variables, custom values, step params) keep their order, after the named ones. Two-space
// indentation, lists indented under their key, no line folding. Comments stay with the node they belong to:
// the yaml library's Document API moves a pair with its comments.

import { isObject } from '../base/json.js';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Pair } from 'yaml';
import type { JsonSchema } from '../base/schema-check.js';
import { yamlErrorProblem } from '../base/yaml-source.js';
import type { Problem } from './types.js';

/** metadata's documented order; its schema lists `project` after `annotations`. */
const METADATA_ORDER = ['name', 'project', 'annotations', 'dependsOn'];

export type FormatResult = { ok: true; text: string } | { ok: false; problems: Problem[] };

function keyOf(pair: Pair): string | undefined {
  return isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value : undefined;
}

function propertiesOf(schema: unknown): Record<string, unknown> | undefined {
  return isObject(schema) && isObject(schema.properties) ? schema.properties : undefined;
}

/**
 * Sorts a map's pairs by `order` (stable: unnamed keys keep their relative order, after the named ones). The
 * comments that open the map stay with what they were written before: a nested block's opening comment with
 * the key it preceded, and the root's (a file header, a `yaml-language-server` line) at the top of the file.
 */
function orderPairs(node: unknown, order: readonly string[], isRoot = false): void {
  if (!isMap(node) || order.length === 0) return;
  const rank = (pair: unknown): number => {
    const key = isPair(pair) ? keyOf(pair) : undefined;
    const index = key === undefined ? -1 : order.indexOf(key);
    return index === -1 ? order.length : index;
  };
  const first = node.items[0];
  const ranked = node.items.map((pair, position) => ({ pair, position, rank: rank(pair) }));
  ranked.sort((a, b) => a.rank - b.rank || a.position - b.position);
  node.items = ranked.map((r) => r.pair);
  const now = node.items[0];
  if (!first || !now || first === now || !isScalar(first.key) || !isScalar(now.key)) return;
  if (isRoot && first.key.commentBefore) {
    now.key.commentBefore = now.key.commentBefore ? `${first.key.commentBefore}\n${now.key.commentBefore}` : first.key.commentBefore;
    first.key.commentBefore = null;
  } else if (!isRoot && node.commentBefore) {
    first.key.commentBefore = first.key.commentBefore ? `${node.commentBefore}\n${first.key.commentBefore}` : node.commentBefore;
    node.commentBefore = null;
  }
}

/** Orders `node` and its descendants by `schema`, where the schema says something. */
function orderBySchema(node: unknown, schema: unknown, isRoot = false): void {
  if (isSeq(node)) {
    const items = isObject(schema) ? schema.items : undefined;
    for (const item of node.items) orderBySchema(item, items);
    return;
  }
  if (!isMap(node)) return;
  const properties = propertiesOf(schema);
  if (!properties) return;
  orderPairs(node, Object.keys(properties), isRoot);
  for (const pair of node.items) {
    const key = isPair(pair) ? keyOf(pair) : undefined;
    if (key !== undefined && isPair(pair)) orderBySchema(pair.value, properties[key]);
  }
}

/** The indentation of each line of `comment` where it was written in `text`, searched from `from` on. */
function commentIndents(text: string, from: number, comment: string): (number | undefined)[] {
  let offset = from;
  return comment.split('\n').map((line) => {
    if (line === '') return undefined;
    const at = text.indexOf(`#${line}`, offset);
    if (at === -1) return undefined;
    offset = at + line.length + 1;
    return at - (text.lastIndexOf('\n', at - 1) + 1);
  });
}

/**
 * A comment line between a nested block and the next key, written at that key's indentation, is parsed as the
 * nested block's trailing comment and would be printed indented under the block: it goes back before the key.
 * A comment written inside the block (indented deeper) stays where it is.
 */
function keepCommentsBeforeKeys(node: unknown, text: string): void {
  if (isSeq(node)) {
    for (const item of node.items) keepCommentsBeforeKeys(item, text);
    return;
  }
  if (!isMap(node)) return;
  node.items.forEach((pair, index) => {
    const value = pair.value;
    keepCommentsBeforeKeys(value, text);
    const next = node.items[index + 1];
    if (!(isMap(value) || isSeq(value)) || !value.comment || !next || !isScalar(next.key) || !next.key.range || !value.range) return;
    const keyStart = next.key.range[0];
    const keyIndent = keyStart - (text.lastIndexOf('\n', keyStart - 1) + 1);
    const lines = value.comment.split('\n');
    const indents = commentIndents(text, value.range[1], value.comment);
    const split = indents.findIndex((indent) => indent !== undefined && indent <= keyIndent);
    if (split === -1) return;
    const moved = lines.slice(split).join('\n');
    next.key.commentBefore = next.key.commentBefore ? `${moved}\n${next.key.commentBefore}` : moved;
    const kept = lines.slice(0, split).join('\n').replace(/\n+$/, '');
    value.comment = kept === '' ? null : kept;
    if (kept !== '' && lines[split - 1] === '') next.key.spaceBefore = true;
  });
}

function orderDocument(doc: Document, text: string, schemaOf: (kind: string) => JsonSchema | undefined): void {
  keepCommentsBeforeKeys(doc.contents, text);
  const root = doc.contents;
  if (!isMap(root)) return;
  const kind = root.get('kind');
  const schema = typeof kind === 'string' ? schemaOf(kind) : undefined;
  if (!schema) return;
  orderBySchema(root, schema, true);
  orderPairs(root.get('metadata', true), METADATA_ORDER);
}

/**
 * The canonical text of a manifest file, or its YAML errors (file:line:col). Documents of an unknown kind (or
 * with none) only get the indentation and layout; their keys keep their order.
 */
export function formatManifest(file: string, text: string, schemaOf: (kind: string) => JsonSchema | undefined): FormatResult {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false });
  const problems = docs.flatMap((doc) => (doc.errors[0] ? [yamlErrorProblem(file, doc.errors[0], lines)] : []));
  if (problems.length > 0) return { ok: false, problems };
  const out = docs.map((doc, index) => {
    orderDocument(doc, text, schemaOf);
    // A document after the first needs its `---`; the first keeps one only when it had it.
    if (index > 0) doc.directives.docStart = true;
    return doc.toString({ indent: 2, indentSeq: true, lineWidth: 0, minContentWidth: 0, flowCollectionPadding: false });
  });
  return { ok: true, text: out.join('') };
}
