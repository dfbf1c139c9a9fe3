// Decides a promotion from what was read: the bundle the source runs, whether it may be promoted (healthy, actually
// deployed, moving forward through the stages), and what the target's manifest changes. Pure.

import { UserError } from '../errors.js';
import { directionProblem, type Stage } from './stages.js';
import type { Promotion, SourceState, TargetDocument } from './types.js';

export interface DecideInput {
  stages: readonly Stage[];
  target: TargetDocument;
  targetStage: string | undefined;
  source: SourceState;
  sourceStage: string | undefined;
  publishedProjectKey: string;
  force: boolean;
}

function healthDetail(source: SourceState): string {
  const messages = source.healthMessages.map((m) => m.message).filter((m) => m !== '');
  return messages.length > 0 ? `: ${messages.join('; ')}` : '';
}

/**
 * Why the source's bundle is not known to be the one it runs, or `undefined` when it is. The status names no
 * bundle: HEALTHY or WARNING means the node runs the settings' bundle, OUT_OF_SYNC that it does not.
 */
export function deployedProblem(source: SourceState): string | undefined {
  const { deploymentId, bundleId, health } = source;
  if (health === 'HEALTHY' || health === 'WARNING') return undefined;
  if (health === 'OUT_OF_SYNC') return `the settings of ${deploymentId} name bundle ${bundleId}, but its automation node does not run it (OUT_OF_SYNC)`;
  return `the status of ${deploymentId} does not say that bundle ${bundleId} is deployed`;
}

/** Every reason to refuse the promotion that `--force` may override. */
export function promotionProblems(input: DecideInput): string[] {
  const { source } = input;
  const problems: string[] = [];
  if (source.health !== 'HEALTHY') {
    problems.push(`the source deployment ${source.deploymentId} is ${source.health}, not HEALTHY${healthDetail(source)}`);
  }
  const deployed = deployedProblem(source);
  if (deployed !== undefined) problems.push(deployed);
  const direction = directionProblem(input.stages, input.sourceStage, input.targetStage);
  if (direction !== undefined) problems.push(direction);
  return problems;
}

/** The promotion, or a user error naming every refusal (unless `force`, which turns them into warnings). */
export function decidePromotion(input: DecideInput): Promotion {
  const problems = promotionProblems(input);
  if (problems.length > 0 && !input.force) {
    throw new UserError(
      'PROMOTE_REFUSED',
      `refusing to promote ${input.source.deploymentId} to ${input.target.deploymentId}:\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\n(--force promotes anyway)',
    );
  }
  const promotion: Promotion = {
    address: `Deployment/${input.target.deploymentId}`,
    target: input.target,
    source: input.source,
    publishedProjectKey: input.publishedProjectKey,
    fromBundleId: input.target.bundleId,
    toBundleId: input.source.bundleId,
    upToDate: input.target.bundleId === input.source.bundleId,
    forced: input.force ? problems : [],
  };
  if (input.targetStage !== undefined) promotion.targetStage = input.targetStage;
  if (input.sourceStage !== undefined) promotion.sourceStage = input.sourceStage;
  return promotion;
}
