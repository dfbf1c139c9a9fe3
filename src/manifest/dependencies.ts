// A document's own dependencies: `metadata.dependsOn`, addresses of objects it is written after besides what its
// kind says, as Terraform has `depends_on` (a project after the code env and connections its recipes use, which
// nothing in the project's own fields names). Checked offline like the kinds' references: each is declared in the
// manifests or listed under `external`. Pure; no kind names (any kind may be named, any document may name one).

import { documentAddress } from './address.js';
import type { DocumentReference } from './references.js';
import type { ManifestDocument, ManifestMetadata, Problem } from './types.js';

const POINTER = '/metadata/dependsOn';

/** What an entry of `metadata.dependsOn` looks like: an object's address (`Kind/name`, `Kind/PROJECT/name`), no block. */
export const DEPENDENCY_PATTERN = '^[A-Za-z][A-Za-z0-9]*/[^#]+$';
const ADDRESS = new RegExp(DEPENDENCY_PATTERN);

/** The addresses of `metadata.dependsOn`, in the manifest's order, each once. */
export function declaredDependencies(metadata: Readonly<ManifestMetadata>): string[] {
  const list: unknown = metadata.dependsOn;
  if (!Array.isArray(list)) return [];
  return [...new Set(list.filter((a): a is string => typeof a === 'string'))];
}

/**
 * `metadata.dependsOn` as references: each must be declared or external. The document itself, and what is no
 * address (the schema's error), are refused apart.
 */
export function dependencyReferences(doc: ManifestDocument): DocumentReference[] {
  const own = documentAddress(doc);
  const list: unknown = doc.metadata.dependsOn;
  if (!Array.isArray(list)) return [];
  return list.flatMap((address: unknown, i) =>
    typeof address !== 'string' || address === own || !ADDRESS.test(address)
      ? []
      : [
          {
            pointer: `${POINTER}/${i}`,
            address,
            what: `\`${address}\``,
            unsatisfied: () => `metadata.dependsOn names \`${address}\`, which the manifests do not declare`,
          },
        ],
  );
}

/** A document that names itself in `metadata.dependsOn`: it would wait for itself. */
export function selfDependencyProblems(doc: ManifestDocument): Problem[] {
  const own = documentAddress(doc);
  const list: unknown = doc.metadata.dependsOn;
  if (!Array.isArray(list)) return [];
  return list.flatMap((address: unknown, i) =>
    address === own ? [{ ...doc.positionOf(`${POINTER}/${i}`), message: `metadata.dependsOn names \`${own}\`, the object itself` }] : [],
  );
}
