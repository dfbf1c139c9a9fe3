// Maps JSON pointers to positions in a parsed YAML document, so that every problem can name a file, line and
// column. A pointer to a place that does not exist resolves to its deepest existing ancestor: a missing field is
// reported where its parent is.

import type { Document, LineCounter, Node } from 'yaml';
import { parsePointer } from './json-pointer.js';
import { yamlLib } from './yaml-lib.js';
import type { SourcePosition } from './problem.js';

interface Located {
  /** The key of the map entry that holds the node, when it is held by a map. */
  key?: Node;
  node?: Node | null;
}

/** A document parsed with positions, and the line counter of its text. */
export interface PositionedDocument {
  doc: Document;
  lines: LineCounter;
}

/** Where the documents of one text are parsed with positions, on demand: the document whose content starts at `offset`. */
export interface PositionSource {
  documentAt(offset: number): PositionedDocument;
}

/**
 * The positions of one document. The parsed document is needed only when a problem names a field, which most runs
 * never do: it is loaded on first use (the text parsed again) rather than kept for every document of the run.
 */
export class NodePositions {
  #source: PositionSource | undefined;
  #loaded: PositionedDocument | undefined;
  readonly #start: SourcePosition | undefined;
  readonly #offset: number;

  /** `source` and `offset`: the document of a text that starts there, parsed when first needed. */
  constructor(readonly file: string, source: PositionedDocument | PositionSource, start?: SourcePosition, offset = 0) {
    if ('documentAt' in source) this.#source = source;
    else this.#loaded = source;
    this.#start = start;
    this.#offset = offset;
  }

  private get doc(): Document {
    return this.loaded().doc;
  }

  private loaded(): PositionedDocument {
    if (this.#loaded === undefined) {
      this.#loaded = (this.#source as PositionSource).documentAt(this.#offset);
      this.#source = undefined;
    }
    return this.#loaded;
  }

  /** Where the document's content starts. */
  start(): SourcePosition {
    if (this.#start !== undefined) return this.#start;
    const offset = this.doc.contents?.range?.[0] ?? this.doc.range?.[0] ?? 0;
    return this.at(offset);
  }

  /** The line of a field: the key of a map entry, or the item itself in a list. */
  fieldPosition(pointer: string): SourcePosition {
    const found = this.locate(pointer);
    const node = found.key ?? found.node;
    return node?.range ? this.at(node.range[0]) : this.start();
  }

  /** Where a value starts (falls back to its key for an empty value). */
  valuePosition(pointer: string): SourcePosition {
    const found = this.locate(pointer);
    const node = found.node?.range ? found.node : found.key;
    return node?.range ? this.at(node.range[0]) : this.start();
  }

  private at(offset: number): SourcePosition {
    const { line, col } = this.loaded().lines.linePos(offset);
    return { file: this.file, line, column: col };
  }

  private locate(pointer: string): Located {
    const { isMap, isScalar, isSeq } = yamlLib();
    let current: Located = { node: this.doc.contents as Node | null };
    for (const segment of parsePointer(pointer)) {
      const node = current.node;
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === segment);
        if (!pair) break;
        current = { key: pair.key as Node, node: pair.value as Node | null };
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (item === undefined || !/^\d+$/.test(segment)) break;
        current = { node: item as Node | null };
      } else {
        break;
      }
    }
    return current;
  }
}
