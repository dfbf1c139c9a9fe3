// Parses YAML text into documents that keep their positions. Malformed YAML becomes a problem at its position,
// never an exception: the first error of a document is reported (later ones are usually its consequences).

import { LineCounter, isScalar, parseAllDocuments, type Document, type YAMLError } from 'yaml';
import { NodePositions } from './positions.js';
import type { Problem } from './types.js';

export interface ParsedYamlDocument {
  /** Plain JSON-like value of the document. */
  value: unknown;
  positions: NodePositions;
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

function isEmpty(doc: Document): boolean {
  return doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null);
}

/** Parses a multi-document YAML text; empty documents (a lone `---`, only comments) are skipped. */
export function parseYaml(file: string, text: string): ParsedYaml {
  const lines = new LineCounter();
  const result: ParsedYaml = { documents: [], problems: [] };
  for (const doc of parseAllDocuments(text, { lineCounter: lines, prettyErrors: false })) {
    const error = doc.errors[0];
    if (error) {
      result.problems.push(yamlErrorProblem(file, error, lines));
      continue;
    }
    if (isEmpty(doc)) continue;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (cause) {
      const positions = new NodePositions(file, doc, lines);
      result.problems.push({ ...positions.start(), message: `invalid YAML: ${(cause as Error).message}` });
      continue;
    }
    result.documents.push({ value, positions: new NodePositions(file, doc, lines) });
  }
  return result;
}
