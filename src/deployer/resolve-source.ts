// Which deployment a promotion takes its bundle from: `--from` names a deployment, or a stage, which stands for the
// deployment of the same published project on an infra of that stage. Pure.

import { UserError } from '../errors.js';
import { isStage, stageOrder } from './stages.js';
import type { DeployerInventory, DeploymentSummary, TargetDocument } from './types.js';

export function stageOfInfra(inventory: DeployerInventory, infraId: string): string | undefined {
  return inventory.infras.find((i) => i.id === infraId)?.stage;
}

/**
 * The source deployment. A deployment id wins over a stage of the same name, since it is the more precise of the
 * two. Throws a user error when `from` names neither, or a stage with no (or several) deployments of the project.
 */
export function resolveSource(inventory: DeployerInventory, target: TargetDocument, from: string): DeploymentSummary {
  const byId = inventory.deployments.find((d) => d.id === from);
  if (byId) {
    if (byId.id === target.deploymentId) {
      throw new UserError('PROMOTE_SAME_DEPLOYMENT', `cannot promote ${target.deploymentId} from itself`);
    }
    if (byId.publishedProjectKey !== target.publishedProjectKey) {
      throw new UserError(
        'PROMOTE_OTHER_PROJECT',
        `deployment ${from} deploys published project ${byId.publishedProjectKey}, but ${target.deploymentId} deploys ` +
          `${target.publishedProjectKey}: a bundle id only means something within its published project`,
      );
    }
    return byId;
  }
  if (!isStage(inventory.stages, from)) {
    throw new UserError(
      'PROMOTE_UNKNOWN_SOURCE',
      `--from ${from} is neither a deployment of the deployer nor a stage (stages: ${stageOrder(inventory.stages)})`,
    );
  }
  const candidates = inventory.deployments.filter(
    (d) =>
      d.publishedProjectKey === target.publishedProjectKey &&
      d.id !== target.deploymentId &&
      stageOfInfra(inventory, d.infraId) === from,
  );
  const [only, ...others] = candidates;
  if (!only) {
    throw new UserError(
      'PROMOTE_NO_SOURCE',
      `no deployment of published project ${target.publishedProjectKey} is on an infra of stage ${from}`,
    );
  }
  if (others.length > 0) {
    const ids = candidates.map((d) => d.id).sort().join(', ');
    throw new UserError(
      'PROMOTE_AMBIGUOUS_SOURCE',
      `stage ${from} has ${candidates.length} deployments of published project ${target.publishedProjectKey} (${ids}): name one with --from`,
    );
  }
  return only;
}
