// What loading manifests produces: documents that remember where every value came from, and problems
// that point at a file, line and column.

export interface SourcePosition {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface Problem extends SourcePosition {
  message: string;
  /** A suggestion, e.g. the nearest valid field name for a typo. */
  hint?: string;
}

export interface ManifestMetadata {
  name: string;
  /** For project-scoped kinds (Scenario, Bundle). */
  project?: string;
  annotations?: Record<string, string>;
}

export interface ManifestDocument {
  apiVersion: string;
  kind: string;
  metadata: ManifestMetadata;
  /** The spec after interpolation of `${env:..}`, `${var:..}` and `${secret:..}`. */
  spec: Record<string, unknown>;
  /** Where the document starts. */
  source: SourcePosition;
  /** The position of a node in the document, by JSON pointer from the document root (e.g. `/spec/variables`). */
  positionOf(pointer: string): SourcePosition;
  /** JSON pointers, from the document root, of values that hold a secret (interpolated from `${secret:..}`). */
  sensitivePaths: string[];
}
