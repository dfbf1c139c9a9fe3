// `promote`'s I/O half: finds the target Deployment among the manifests, reads the deployer (inventory, then the
// source's settings and status), decides with the pure parts, and produces the rewritten manifest text.

import { readFile } from 'node:fs/promises';
import type { DssClient } from '../dss/types.js';
import { UserError } from '../errors.js';
import type { ManifestDocument } from '../manifest/types.js';
import { decidePromotion } from './decide.js';
import { readInventory, readSourceState } from './deployer-reads.js';
import { editScalar } from './manifest-edit.js';
import { resolveSource, stageOfInfra } from './resolve-source.js';
import type { Promotion, PromotionRequest, TargetDocument } from './types.js';

function specString(doc: ManifestDocument, field: string): string {
  const value = doc.spec[field];
  if (typeof value !== 'string') {
    const at = doc.positionOf(`/spec/${field}`);
    throw new UserError('PROMOTE_BAD_TARGET', `${at.file}:${at.line}:${at.column}: Deployment/${doc.metadata.name} has no spec.${field}`);
  }
  return value;
}

/** The target Deployment document; a user error naming the declared deployments when it is not among them. */
export function findTargetDocument(documents: ManifestDocument[], deploymentId: string): { doc: ManifestDocument; target: TargetDocument } {
  const deployments = documents.filter((d) => d.kind === 'Deployment');
  const doc = deployments.find((d) => d.metadata.name === deploymentId);
  if (!doc) {
    const declared = deployments.map((d) => d.metadata.name).sort();
    throw new UserError(
      'PROMOTE_UNKNOWN_TARGET',
      `the manifests declare no Deployment/${deploymentId}` +
        (declared.length > 0 ? ` (declared: ${declared.join(', ')})` : ' (they declare no deployment at all)'),
    );
  }
  return {
    doc,
    target: {
      deploymentId,
      publishedProjectKey: specString(doc, 'publishedProjectKey'),
      infraId: specString(doc, 'infraId'),
      bundleId: specString(doc, 'bundleId'),
      position: doc.positionOf('/spec/bundleId'),
    },
  };
}

/** The stage of an infra the manifests declare, for a target whose infra the deployer does not have yet. */
function declaredStage(documents: ManifestDocument[], infraId: string): string | undefined {
  const stage = documents.find((d) => d.kind === 'Infra' && d.metadata.name === infraId)?.spec.stage;
  return typeof stage === 'string' ? stage : undefined;
}

export async function planPromotion(client: DssClient, documents: ManifestDocument[], request: PromotionRequest): Promise<Promotion> {
  const { target } = findTargetDocument(documents, request.target);
  const inventory = await readInventory(client);
  const source = resolveSource(inventory, target, request.from);
  const state = await readSourceState(client, source.id);
  return decidePromotion({
    stages: inventory.stages,
    target,
    targetStage: stageOfInfra(inventory, target.infraId) ?? declaredStage(documents, target.infraId),
    source: state,
    sourceStage: stageOfInfra(inventory, source.infraId),
    publishedProjectKey: target.publishedProjectKey,
    force: request.force,
  });
}

export interface RewrittenManifest {
  file: string;
  line: number;
  before: string;
  after: string;
}

/** The target's manifest file with only `spec.bundleId` of its document changed. */
export async function rewriteManifest(promotion: Promotion): Promise<RewrittenManifest> {
  const file = promotion.target.position.file;
  const before = await readFile(file, 'utf8');
  const id = promotion.target.deploymentId;
  const edited = editScalar(before, file, {
    matches: (value) => {
      const v = value as { kind?: unknown; metadata?: { name?: unknown } } | null;
      return v?.kind === 'Deployment' && v.metadata?.name === id;
    },
    describe: promotion.address,
    path: ['spec', 'bundleId'],
    value: promotion.toBundleId,
  });
  return { file, line: edited.line, before, after: edited.text };
}
