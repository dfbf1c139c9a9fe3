// Checks across documents: every address is declared once, and every object a document refers to is either
// declared in the manifests or listed in the configuration's `external` addresses.

import * as path from 'node:path';
import { addressOf, documentAddress, parseAddress } from './address.js';
import { isWithin } from '../base/json-pointer.js';
import type { ManifestDocument, Problem } from './types.js';

export interface CheckedDocument {
  document: ManifestDocument;
  unresolvedPointers: readonly string[];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function at(doc: ManifestDocument, pointer: string, message: string, hint?: string): Problem {
  return { ...doc.positionOf(pointer), message, ...(hint ? { hint } : {}) };
}

function where(doc: ManifestDocument, cwd: string): string {
  const p = doc.source;
  return `${path.relative(cwd, p.file) || p.file}:${p.line}:${p.column}`;
}

/** The published project key a bundle is published to, or `undefined` when it is not published. */
export function bundlePublishTarget(doc: ManifestDocument): string | undefined {
  const publish = doc.spec.publish;
  if (publish === true) return doc.metadata.project;
  if (publish !== null && typeof publish === 'object') {
    return str((publish as Record<string, unknown>).publishedProjectKey) ?? doc.metadata.project;
  }
  return undefined;
}

export function checkReferences(checked: readonly CheckedDocument[], external: readonly string[], cwd: string): Problem[] {
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
  const externals = new Set(external);
  const exists = (address: string): boolean => declared.has(address) || externals.has(address);
  const bundles = checked.map((c) => c.document).filter((d) => d.kind === 'Bundle');
  const hint = 'declare it in the manifests, or list it under `external` in dss-gitops.yaml if it exists already';

  for (const { document: doc, unresolvedPointers } of checked) {
    const usable = (pointer: string): boolean => !unresolvedPointers.some((p) => isWithin(pointer, p));
    if ((doc.kind === 'Scenario' || doc.kind === 'Bundle') && usable('/metadata/project')) {
      const project = str(doc.metadata.project);
      if (project !== undefined && !exists(addressOf('Project', project))) {
        problems.push(at(doc, '/metadata/project', `project \`${project}\` is not declared (no \`Project/${project}\`)`, hint));
      }
    }
    if (doc.kind !== 'Deployment') continue;
    const infraId = str(doc.spec.infraId);
    if (infraId !== undefined && usable('/spec/infraId') && !exists(addressOf('Infra', infraId))) {
      problems.push(at(doc, '/spec/infraId', `infra \`${infraId}\` is not declared (no \`Infra/${infraId}\`)`, hint));
    }
    const key = str(doc.spec.publishedProjectKey);
    if (key === undefined || !usable('/spec/publishedProjectKey')) continue;
    const publishers = bundles.filter((b) => bundlePublishTarget(b) === key);
    if (!exists(addressOf('PublishedProject', key)) && publishers.length === 0) {
      problems.push(
        at(doc, '/spec/publishedProjectKey', `published project \`${key}\` is not declared (no \`PublishedProject/${key}\`, and no Bundle publishes to it)`, hint),
      );
      continue;
    }
    const bundleId = str(doc.spec.bundleId);
    if (bundleId === undefined || !usable('/spec/bundleId')) continue;
    const published = publishers.some((b) => b.metadata.name === bundleId);
    const listed = external.some((a) => {
      const parsed = parseAddress(a);
      return parsed?.kind === 'Bundle' && parsed.name === bundleId;
    });
    if (!published && !listed) {
      const elsewhere = bundles.find((b) => b.metadata.name === bundleId);
      const detail = elsewhere
        ? `\`${documentAddress(elsewhere)}\` is not published to \`${key}\``
        : `no Bundle \`${bundleId}\` is published to \`${key}\``;
      problems.push(at(doc, '/spec/bundleId', `bundle \`${bundleId}\` is not declared: ${detail}`, hint));
    }
  }
  return problems;
}
