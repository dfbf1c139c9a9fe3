// How a promotion is told: the one-line summary, the default branch name and the commit message (a subject and a
// body ready for a pull request). Pure; nothing here ever holds a secret, only ids, stages and health messages.

import type { Promotion } from './types.js';

function where(stage: string | undefined): string {
  return stage === undefined ? '' : ` (stage ${stage})`;
}

/** `Deployment/churn-prod: bundleId v11 → v12 (from churn-test, HEALTHY)`. */
export function summaryLine(p: Promotion): string {
  const change = p.upToDate ? `bundleId is already ${p.toBundleId}` : `bundleId ${p.fromBundleId} → ${p.toBundleId}`;
  return `${p.address}: ${change} (from ${p.source.deploymentId}, ${p.source.health})`;
}

/** `promote/churn-prod-v12`, with anything git refuses in a branch name replaced. */
export function defaultBranch(p: Promotion): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/\.\.+/g, '.').replace(/^[-.]+|[-.]+$/g, '') || 'x';
  return `promote/${safe(p.target.deploymentId)}-${safe(p.toBundleId)}`;
}

export function commitSubject(p: Promotion): string {
  return `Promote ${p.publishedProjectKey} bundle ${p.toBundleId} to ${p.target.deploymentId} (from ${p.source.deploymentId})`;
}

/** The commit message: the subject, then a body that reads as a pull request description. */
export function commitMessage(p: Promotion, manifest: string): string {
  const body = [
    `${p.address} moves from bundle ${p.fromBundleId} to bundle ${p.toBundleId} of published project ${p.publishedProjectKey}.`,
    '',
    `- Source: ${p.source.deploymentId}${where(p.sourceStage)}, ${p.source.health}, runs bundle ${p.toBundleId}`,
    `- Target: ${p.target.deploymentId}${where(p.targetStage)} on infra ${p.target.infraId}`,
    `- Manifest: ${manifest}`,
  ];
  if (p.forced.length > 0) {
    body.push('', 'Promoted with --force despite:', ...p.forced.map((reason) => `- ${reason}`));
  }
  body.push('', `Once merged, \`dss-gitops apply --target ${p.address}\` rolls the deployment out.`);
  return `${commitSubject(p)}\n\n${body.join('\n')}\n`;
}
