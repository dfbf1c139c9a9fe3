// Parses YAML text into documents that keep their positions. Malformed YAML becomes a problem at its position,
// never an exception: the first error of a document is reported (later ones are usually its consequences).
// Aliases are counted before they are expanded: a few lines of nested aliases (an alias bomb) would otherwise
// expand to gigabytes. Plain YAML is read by base/yaml-fast.ts; the parsed documents, with their positions, are
// only built again when a problem needs a position (see base/positions.ts).

import type { Alias, Document, LineCounter, YAMLError } from 'yaml';
import { yamlLib } from './yaml-lib.js';
import { NodePositions, type PositionedDocument, type PositionSource } from './positions.js';
import type { Problem } from './problem.js';
import { readPlainYaml } from './yaml-fast.js';

export interface ParsedYamlDocument {
  /** Plain JSON-like value of the document. */
  value: unknown;
  positions: NodePositions;
  /**
   * Set when no string of `value` can hold a `${` reference: the plain reader read it (it reads no escapes, which
   * could write one) from a text with no `${` in it. The walks that look for references skip such a document.
   */
  referenceFree?: true;
}

export interface ParsedYaml {
  documents: ParsedYamlDocument[];
  problems: Problem[];
}

export function yamlErrorProblem(file: string, error: YAMLError, lines: LineCounter): Problem {
  const { line, col } = lines.linePos(error.pos[0]);
  return { file, line, column: col, message: `invalid YAML: ${firstSentence(error.message)}` };
}

function firstSentence(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/[.:]\s*$/, '');
}

/** The most nodes that the aliases of one document may expand to, all together. */
export const ALIAS_EXPANSION_LIMIT = 10_000;
/** yaml's own guard, kept as a second line behind the count above. */
const MAX_ALIAS_COUNT = 1000;

/**
 * The first alias, in document order, at which the nodes that the document's aliases expand to pass `limit`;
 * undefined when they stay under it.
 */
export function aliasPastLimit(doc: Document, limit: number = ALIAS_EXPANSION_LIMIT): Alias | undefined {
  const { isAlias, isCollection, isPair } = yamlLib();
  const sizes = new Map<unknown, number>();
  const inProgress = new Set<unknown>();
  // How many nodes `node` stands for once its aliases are expanded; memoized, capped so numbers stay small.
  const sizeOf = (node: unknown): number => {
    if (isAlias(node)) return sizeOf(node.resolve(doc));
    if (isPair(node)) return Math.min(limit + 1, sizeOf(node.key) + sizeOf(node.value));
    if (!isCollection(node)) return 1;
    const known = sizes.get(node);
    if (known !== undefined) return known;
    // A node aliased inside itself is a recursive structure: counted once here; yaml refuses it when expanding.
    if (inProgress.has(node)) return 1;
    inProgress.add(node);
    let size = 1;
    for (const item of node.items as unknown[]) size = Math.min(limit + 1, size + sizeOf(item));
    inProgress.delete(node);
    sizes.set(node, size);
    return size;
  };
  let expanded = 0;
  const visitNode = (node: unknown): Alias | undefined => {
    if (isAlias(node)) {
      expanded += sizeOf(node);
      return expanded > limit ? node : undefined;
    }
    if (isPair(node)) return visitNode(node.key) ?? visitNode(node.value);
    if (!isCollection(node)) return undefined;
    for (const item of node.items as unknown[]) {
      const found = visitNode(item);
      if (found) return found;
    }
    return undefined;
  };
  return visitNode(doc.contents);
}

function isEmpty(doc: Document): boolean {
  return doc.contents === null || (yamlLib().isScalar(doc.contents) && doc.contents.value === null);
}

interface ParsedText {
  docs: Document[];
  lines: LineCounter;
}

function parseText(text: string): ParsedText {
  const yaml = yamlLib();
  const lines = new yaml.LineCounter();
  return { docs: yaml.parseAllDocuments(text, { lineCounter: lines, prettyErrors: false }) as Document[], lines };
}

const contentOffset = (doc: Document): number => doc.contents?.range?.[0] ?? doc.range?.[0] ?? 0;

/**
 * The documents of one text with their positions, parsed again on first use; the documents of one file share one
 * parse, and hold only this (and where they start) until then.
 */
class TextPositions implements PositionSource {
  #parsed: ParsedText | undefined;

  constructor(private readonly text: string) {}

  documentAt(offset: number): PositionedDocument {
    this.#parsed ??= parseText(this.text);
    const { docs, lines } = this.#parsed;
    const doc = docs.find((d) => contentOffset(d) === offset) ?? (docs[0] as Document);
    return { doc, lines };
  }
}

let fastReader = true;

/**
 * Whether plain YAML is read by base/yaml-fast.ts (the default) or every text by the `yaml` package: tests turn it
 * off to check that both read the same documents and report the same problems.
 */
export function useFastYamlReader(enabled: boolean): void {
  fastReader = enabled;
}

/** Parses a multi-document YAML text; empty documents (a lone `---`, only comments) are skipped. */
export function parseYaml(file: string, text: string): ParsedYaml {
  const shared = new TextPositions(text);
  const plain = fastReader ? readPlainYaml(text) : undefined;
  if (plain !== undefined) {
    const referenceFree = !text.includes('${');
    return {
      documents: plain.map((d) => ({
        value: d.value,
        positions: new NodePositions(file, shared, { file, line: d.line, column: d.column }, d.offset),
        ...(referenceFree ? { referenceFree: true as const } : {}),
      })),
      problems: [],
    };
  }
  const { docs, lines } = parseText(text);
  const result: ParsedYaml = { documents: [], problems: [] };
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      result.problems.push(yamlErrorProblem(file, error, lines));
      continue;
    }
    if (isEmpty(doc)) continue;
    const bomb = aliasPastLimit(doc);
    if (bomb) {
      const { line, col } = lines.linePos(bomb.range?.[0] ?? 0);
      result.problems.push({
        file,
        line,
        column: col,
        message: `invalid YAML: the aliases expand to more than ${ALIAS_EXPANSION_LIMIT} nodes here (an alias bomb); write the values out or alias less`,
      });
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (cause) {
      const positions = new NodePositions(file, { doc, lines });
      result.problems.push({ ...positions.start(), message: `invalid YAML: ${(cause as Error).message}` });
      continue;
    }
    const offset = contentOffset(doc);
    const { line, col } = lines.linePos(offset);
    result.documents.push({ value, positions: new NodePositions(file, shared, { file, line, column: col }, offset) });
  }
  return result;
}
