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

/**
 * Cycles made of `metadata.dependsOn` entries alone (A names B, B names A): one error per cycle, naming it whole,
 * at the entry that closes it in the document the search (in file order) met first. A cycle that also goes through what the kinds order by
 * themselves is the plan's to report, which builds every unit.
 */
export function dependencyCycleProblems(documents: readonly ManifestDocument[]): Problem[] {
  const byAddress = new Map(documents.map((d) => [documentAddress(d), d]));
  const edges = new Map([...byAddress].map(([address, doc]) => [address, declaredDependencies(doc.metadata).filter((a) => a !== address && byAddress.has(a))]));
  const problems: Problem[] = [];
  const done = new Set<string>();
  const reported = new Set<string>();
  const visit = (address: string, path: string[]): void => {
    const at = path.indexOf(address);
    if (at !== -1) {
      const cycle = path.slice(at);
      const key = [...cycle].sort().join('\u0000');
      if (reported.has(key)) return;
      reported.add(key);
      const first = cycle[0] as string;
      const next = cycle[1] ?? first;
      const doc = byAddress.get(first) as ManifestDocument;
      const list: unknown = doc.metadata.dependsOn;
      const pointer = Array.isArray(list) ? `${POINTER}/${list.indexOf(next)}` : POINTER;
      problems.push({ ...doc.positionOf(pointer), message: `metadata.dependsOn makes a cycle: ${[...cycle, first].map((a) => `\`${a}\``).join(' → ')}` });
      return;
    }
    if (done.has(address)) return;
    for (const next of edges.get(address) ?? []) visit(next, [...path, address]);
    done.add(address);
  };
  for (const address of byAddress.keys()) visit(address, []);
  return problems;
}
