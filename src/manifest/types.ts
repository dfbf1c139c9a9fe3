// What loading manifests produces: documents that remember where every value came from, and problems
// that point at a file, line and column.

import type { SourcePosition, Problem } from '../base/problem.js';
import type { GitopsConfig } from '../config/types.js';

export type { SourcePosition, Problem } from '../base/problem.js';
export { isError } from '../base/problem.js';


export interface ManifestMetadata {
  name: string;
  /** For project-scoped kinds (Scenario, Bundle). */
  project?: string;
  annotations?: Record<string, string>;
  /** Addresses this object is written after, besides what its kind says (`Connection/warehouse`). */
  dependsOn?: string[];
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
  /** The manifests tree the document was loaded from; the files it names must stay inside. */
  root?: string;
}

/** What a run needs to load its manifests; pure of network, it only reads files. */
export interface LoadManifestOptions {
  /** Files or directories (`-f`); relative ones are resolved against `cwd`. */
  paths: string[];
  /** `--config FILE`; without it, `dss-gitops.yaml` at the root of the first directory in `paths`. */
  configPath?: string;
  /** `--var K=V`, in order; later ones win, and they win over `--var-file`. */
  vars: string[];
  /** `--var-file F` (YAML, JSON or `K=V` lines), in order. */
  varFiles: string[];
  env: Record<string, string | undefined>;
  cwd: string;
  /** False for offline checks: an unset `${secret:..}` is not an error (default: every secret is required). */
  requireSecrets?: boolean;
}

export interface ManifestSet {
  config: GitopsConfig;
  /**
   * Every document of a known kind with a name, in file order. Only safe to act on when `problems` holds no
   * error. A `scriptFile` has been read: its content is in `spec.script`.
   */
  documents: ManifestDocument[];
  /** Errors and warnings, sorted by file, line and column. */
  problems: Problem[];
  /** Every secret value met (from `${secret:..}` and API keys), for log and output sanitizers. */
  secrets: ReadonlySet<string>;
}
