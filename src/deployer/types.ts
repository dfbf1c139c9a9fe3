// What a promotion knows of the Project Deployer and of the manifests, as plain data, so that deciding is pure.

import type { SourcePosition } from '../manifest/types.js';
import type { Stage } from './stages.js';

export interface DeploymentSummary {
  id: string;
  infraId: string;
  publishedProjectKey: string;
  bundleId: string;
}

export interface InfraSummary {
  id: string;
  stage: string;
}

/** The deployer's deployments, infras and stages, as listed once per run. */
export interface DeployerInventory {
  stages: Stage[];
  deployments: DeploymentSummary[];
  infras: InfraSummary[];
}

export interface HealthMessage {
  severity?: string;
  code?: string;
  message: string;
}

/** What the source deployment runs and how it is doing. */
export interface SourceState {
  deploymentId: string;
  /** The bundle its settings name. */
  bundleId: string;
  health: string;
  /**
   * The reference's status names no bundle: a HEALTHY (or WARNING) status means the automation node runs the
   * settings' bundle, OUT_OF_SYNC that it does not.
   */
  healthMessages: HealthMessage[];
}

/** The target Deployment document of the manifests. */
export interface TargetDocument {
  deploymentId: string;
  publishedProjectKey: string;
  infraId: string;
  bundleId: string;
  /** Where `spec.bundleId` is. */
  position: SourcePosition;
}

export interface PromotionRequest {
  target: string;
  /** A deployment id or a stage name. */
  from: string;
  force: boolean;
}

/** A decided promotion: what changes, and what `--force` let through. */
export interface Promotion {
  address: string;
  target: TargetDocument;
  targetStage?: string;
  source: SourceState;
  sourceStage?: string;
  publishedProjectKey: string;
  fromBundleId: string;
  toBundleId: string;
  /** True when the manifest already names the source's bundle. */
  upToDate: boolean;
  /** Refusals overridden by `--force`, worded for a warning. */
  forced: string[];
}
