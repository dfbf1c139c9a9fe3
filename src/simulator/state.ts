// The whole, JSON-serializable state of one simulated DSS node. Each API family owns one slice.

import { createDeployerState, type DeployerState } from './deployer/state.js';
import { createDesignState, type DesignState } from './design/state.js';

export interface SimState {
  formatVersion: 1;
  design: DesignState;
  deployer: DeployerState;
}

export function createState(): SimState {
  return { formatVersion: 1, design: createDesignState(), deployer: createDeployerState() };
}
