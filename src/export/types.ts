// What `export` produces: manifest documents built from live DSS objects, and the files they are written to.

import type { ExportedSecret, NodeName } from '../resources/types.js';

export type ExportLayout = 'by-project' | 'by-kind';

export const EXPORT_LAYOUTS: readonly ExportLayout[] = ['by-project', 'by-kind'];

/** One live object as a manifest document, with the files written beside it. */
export interface ExportedDocument {
  kind: string;
  /** The node the object lives on. */
  node: NodeName;
  metadata: { name: string; project?: string };
  spec: Record<string, unknown>;
  /** By name relative to the document's file (e.g. `DAILY.py`). */
  files: Record<string, string>;
  secrets: ExportedSecret[];
  /** Addresses referred to that exist in DSS but are not exported (see `ExportedSpec.external`). */
  external: string[];
}

/** The output of an export: file contents by path relative to the output directory (`/`-separated). */
export type ExportFiles = Map<string, string>;
