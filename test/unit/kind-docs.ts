// Builds manifest documents in code for the kinds' tests, as the manifest loader would produce them.

import type { ManifestDocument } from '../../src/manifest/types.js';

export interface DocOptions {
  project?: string;
  file?: string;
  sensitivePaths?: string[];
}

export function docOf(kind: string, name: string, spec: Record<string, unknown>, options: DocOptions = {}): ManifestDocument {
  const file = options.file ?? `/manifests/${kind.toLowerCase()}-${name.replace(/\//g, '-')}.yaml`;
  const metadata: ManifestDocument['metadata'] = { name };
  if (options.project !== undefined) metadata.project = options.project;
  return {
    apiVersion: 'dss-gitops/v1',
    kind,
    metadata,
    spec,
    source: { file, line: 1, column: 1 },
    positionOf: () => ({ file, line: 7, column: 3 }),
    sensitivePaths: options.sensitivePaths ?? [],
  };
}
