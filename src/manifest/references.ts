// Checks across documents: every address is declared once, and every object a document refers to is either
// declared in the manifests or listed in the configuration's `external` addresses. What a document refers to is
// its kind's to say (`ResourceKind.references`); the loader hands it in, since manifest/ sits below the kinds.
// Besides, any document may name what it is written after in `metadata.dependsOn` (see dependencies.ts).

import * as path from 'node:path';
import { documentAddress } from './address.js';
import { dependencyCycleProblems, dependencyReferences, selfDependencyProblems } from './dependencies.js';
import { isWithin } from '../base/json-pointer.js';
import type { ManifestDocument, Problem } from './types.js';

export interface CheckedDocument {
  document: ManifestDocument;
  unresolvedPointers: readonly string[];
}

/** One reference of a document to another object (`ResourceKind.references`). */
export interface DocumentReference {
  /** Where in the document, as a JSON pointer (`/spec/groups/1`): the error points at its line and column. */
  pointer: string;
  /**
   * The address that satisfies the reference when it is declared or listed under `external`, e.g. `Group/analysts`.
   * Absent when only `satisfiedBy` can satisfy it.
   */
  address?: string;
  /** How the error names it, e.g. ``group `analysts` ``. */
  what: string;
  /**
   * Other objects that satisfy it: called with every declared document (and its address) and with every external
   * address (no document). E.g. a deployment's published project is also satisfied by a bundle that publishes to it.
   */
  satisfiedBy?(address: string, document: ManifestDocument | undefined): boolean;
  /**
   * The error when nothing satisfies it, where ``WHAT is not declared (no `ADDRESS`)`` does not say enough;
   * given every declared document, in file order.
   */
  unsatisfied?(declared: readonly ManifestDocument[]): string;
  /** References checked only once this one is satisfied (a deployment's bundle, after its published project). */
  then?: readonly DocumentReference[];
}

/** The references of a document, by its kind. */
export type ReferencesOf = (doc: ManifestDocument) => readonly DocumentReference[];

const HINT = 'declare it in the manifests, or list it under `external` in dss-gitops.yaml if it exists already';

function at(doc: ManifestDocument, pointer: string, message: string, hint?: string): Problem {
  return { ...doc.positionOf(pointer), message, ...(hint ? { hint } : {}) };
}

function where(doc: ManifestDocument, cwd: string): string {
  const p = doc.source;
  return `${path.relative(cwd, p.file) || p.file}:${p.line}:${p.column}`;
}

export function checkReferences(checked: readonly CheckedDocument[], external: readonly string[], cwd: string, referencesOf: ReferencesOf): Problem[] {
  const problems: Problem[] = [];
  const declared = new Map<string, ManifestDocument>();
  for (const { document } of checked) {
    const address = documentAddress(document);
    const first = declared.get(address);
    if (first) {
      problems.push(at(document, '/metadata/name', `duplicate address \`${address}\`, first declared at ${where(first, cwd)}`));
    } else {
      declared.set(address, document);
    }
  }
  const documents = checked.map((c) => c.document);
  const externals = new Set(external);
  const satisfied = (ref: DocumentReference): boolean => {
    if (ref.address !== undefined && (declared.has(ref.address) || externals.has(ref.address))) return true;
    const other = ref.satisfiedBy;
    if (other === undefined) return false;
    return documents.some((d) => other(documentAddress(d), d)) || external.some((a) => other(a, undefined));
  };

  for (const { document: doc, unresolvedPointers } of checked) {
    // A value left unresolved by interpolation has its own error already; what it would name is unknown.
    const usable = (ref: DocumentReference): boolean => !unresolvedPointers.some((p) => isWithin(ref.pointer, p));
    const check = (refs: readonly DocumentReference[]): void => {
      for (const ref of refs.filter(usable)) {
        if (satisfied(ref)) {
          check(ref.then ?? []);
          continue;
        }
        const message = ref.unsatisfied?.(documents) ?? `${ref.what} is not declared (no \`${ref.address ?? ''}\`)`;
        problems.push(at(doc, ref.pointer, message, HINT));
      }
    };
    check([...referencesOf(doc), ...dependencyReferences(doc)]);
    problems.push(...selfDependencyProblems(doc));
  }
  problems.push(...dependencyCycleProblems(documents));
  return problems;
}
