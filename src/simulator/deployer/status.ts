// The health of a deployment, as DSS reports it from `GET /project-deployer/deployments/{id}/status`. Pure: the
// route gathers what the deployer recorded and what the automation node answered, and these rules decide.

import type { DeploymentUpdateRecord } from './state.js';

export type DeploymentHealth = 'UNKNOWN' | 'ERROR' | 'WARNING' | 'HEALTHY' | 'UNHEALTHY' | 'OUT_OF_SYNC';

export interface HealthMessage {
  severity: 'INFO' | 'WARNING' | 'ERROR';
  code: string;
  message: string;
}

/** What the automation node said when asked, or why it could not be asked. */
export type NodeObservation =
  | { reachable: true; projectExists: boolean; activeBundleId?: string }
  | { reachable: false; message: string };

export interface StatusInput {
  deploymentId: string;
  infraId: string;
  deployedProjectKey: string;
  /** The bundle the deployment's settings name. */
  settingsBundleId: string;
  /** The bundle the last successful update activated. */
  deployedBundleId?: string;
  lastUpdate?: DeploymentUpdateRecord;
  /** Absent when the node was not asked (nothing deployed yet). */
  node?: NodeObservation;
}

export interface DeploymentStatus {
  health: DeploymentHealth;
  healthMessages: HealthMessage[];
}

const status = (health: DeploymentHealth, ...healthMessages: HealthMessage[]): DeploymentStatus => ({
  health,
  healthMessages,
});

export function deploymentHealth(input: StatusInput): DeploymentStatus {
  const { lastUpdate, deployedBundleId, settingsBundleId, node } = input;
  const updating: HealthMessage[] =
    lastUpdate?.outcome === 'RUNNING'
      ? [{ severity: 'INFO', code: 'UPDATE_RUNNING', message: `An update to bundle ${lastUpdate.bundleId} is running` }]
      : [];

  if (deployedBundleId === undefined && (lastUpdate === undefined || lastUpdate.outcome === 'RUNNING')) {
    return status('UNKNOWN', {
      severity: 'INFO',
      code: 'NEVER_DEPLOYED',
      message: `Deployment ${input.deploymentId} has never been updated: no bundle is deployed yet`,
    }, ...updating);
  }
  if (lastUpdate && (lastUpdate.outcome === 'FAILED' || lastUpdate.outcome === 'ABORTED')) {
    const what = lastUpdate.outcome === 'FAILED' ? 'failed' : 'was aborted';
    const why = lastUpdate.message ? `: ${lastUpdate.message}` : '';
    const still = deployedBundleId ? ` (bundle ${deployedBundleId} is still the last deployed one)` : '';
    return status('ERROR', {
      severity: 'ERROR',
      code: 'UPDATE_FAILED',
      message: `The last update to bundle ${lastUpdate.bundleId} ${what}${why}${still}`,
    });
  }
  if (node && !node.reachable) {
    return status('ERROR', {
      severity: 'ERROR',
      code: 'AUTOMATION_NODE_UNREACHABLE',
      message: `The automation node of infra ${input.infraId} cannot be queried: ${node.message}`,
    }, ...updating);
  }
  if (node && !node.projectExists) {
    return status('ERROR', {
      severity: 'ERROR',
      code: 'PROJECT_MISSING',
      message: `Project ${input.deployedProjectKey} does not exist on the automation node of infra ${input.infraId}`,
    }, ...updating);
  }
  if (node && node.activeBundleId !== deployedBundleId) {
    return status('OUT_OF_SYNC', {
      severity: 'WARNING',
      code: 'NODE_DIVERGED',
      message:
        `The automation node runs bundle ${node.activeBundleId ?? '(none)'} in project ${input.deployedProjectKey}, ` +
        `but the deployer last deployed bundle ${deployedBundleId ?? '(none)'}`,
    }, ...updating);
  }
  if (settingsBundleId !== deployedBundleId) {
    return status('OUT_OF_SYNC', {
      severity: 'WARNING',
      code: 'BUNDLE_NOT_DEPLOYED',
      message:
        `The settings name bundle ${settingsBundleId} but bundle ${deployedBundleId ?? '(none)'} is deployed: ` +
        'update the deployment',
    }, ...updating);
  }
  return status('HEALTHY', {
    severity: 'INFO',
    code: 'IN_SYNC',
    message: `Bundle ${settingsBundleId} is active in project ${input.deployedProjectKey} on infra ${input.infraId}`,
  }, ...updating);
}
