// State of the bundles, Project Deployer, automation and futures APIs.

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled in by the deployer routes
export interface DeployerState {}

export function createDeployerState(): DeployerState {
  return {};
}
