// The "basic info" blocks DSS repeats across deployer answers (projects, infras, deployments).

import { packageView } from './published-projects-store.js';
import type { Deployment, DeployerState, InfraSettings, PublishedProject } from './state.js';

export function infraBasicInfo(infra: InfraSettings): Record<string, unknown> {
  return {
    id: infra.id,
    stage: infra.stage,
    automationNodeUrl: infra.automationNodeUrl ?? null,
    defaultConnectionRemapping: Array.isArray(infra.defaultConnectionRemapping) ? infra.defaultConnectionRemapping : [],
  };
}

export function deploymentBasicInfo(deployment: Deployment): Record<string, unknown> {
  const s = deployment.settings;
  return {
    id: s.id,
    infraId: s.infraId,
    tags: [...s.tags],
    creationTag: s.creationTag,
    versionTag: s.versionTag,
    createdByDisplayName: s.creationTag.lastModifiedBy.login,
    lastModifiedByDisplayName: s.versionTag.lastModifiedBy.login,
    bundleId: s.bundleId,
    publishedProjectKey: s.publishedProjectKey,
    deployedProjectKey: s.deployedProjectKey,
  };
}

export function projectBasicInfo(project: PublishedProject): Record<string, unknown> {
  const s = project.settings;
  return {
    id: s.id,
    name: s.name,
    versionTag: s.versionTag,
    creationTag: s.creationTag,
    bundleIds: Object.keys(project.packages).sort(),
  };
}

export function publishedProjectView(state: DeployerState, project: PublishedProject): Record<string, unknown> {
  const deployments = Object.values(state.deployments).filter((d) => d.settings.publishedProjectKey === project.settings.id);
  const infraIds = [...new Set(deployments.map((d) => d.settings.infraId))].sort();
  return {
    projectBasicInfo: projectBasicInfo(project),
    packages: Object.values(project.packages)
      .sort((a, b) => a.publishedOn - b.publishedOn || a.id.localeCompare(b.id))
      .map(packageView),
    deployments: deployments.map(deploymentBasicInfo),
    infras: infraIds.flatMap((id) => (state.infras[id] ? [infraBasicInfo(state.infras[id])] : [])),
    isAdmin: true,
    canDeploy: true,
    canWrite: true,
  };
}

export function deploymentView(state: DeployerState, deployment: Deployment): Record<string, unknown> {
  const project = state.publishedProjects[deployment.settings.publishedProjectKey];
  const infra = state.infras[deployment.settings.infraId];
  return {
    projectBasicInfo: project ? projectBasicInfo(project) : null,
    infraBasicInfo: infra ? infraBasicInfo(infra) : null,
    deploymentBasicInfo: deploymentBasicInfo(deployment),
    packages: project ? Object.values(project.packages).map(packageView) : [],
    neverEverDeployed: deployment.deployedBundleId === undefined,
  };
}
