// Reads what a promotion needs from the Project Deployer: stages, infras and deployments (listed once), and the
// settings and status of the source deployment. Answers are checked for the fields relied on.

import { isObject } from '../base/json.js';
import type { DssClient } from '../dss/types.js';
import { DssGitopsError } from '../errors.js';
import { dssPath } from '../base/dss-path.js';
import { parseStages } from './stages.js';
import type { DeployerInventory, DeploymentSummary, HealthMessage, InfraSummary, SourceState } from './types.js';

function unexpected(what: string): DssGitopsError {
  return new DssGitopsError('DEPLOYER_UNEXPECTED_ANSWER', `the Project Deployer answered an unexpected ${what}`, { fault: 'remote' });
}

function record(value: unknown): Record<string, unknown> | undefined {
  return isObject(value) ? value : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function parseDeployments(answer: unknown): DeploymentSummary[] {
  if (!Array.isArray(answer)) throw unexpected('list of deployments');
  return answer.flatMap((item) => {
    const info = record(record(item)?.deploymentBasicInfo);
    const id = text(info?.id);
    const infraId = text(info?.infraId);
    const publishedProjectKey = text(info?.publishedProjectKey);
    if (id === undefined || infraId === undefined || publishedProjectKey === undefined) return [];
    return [{ id, infraId, publishedProjectKey, bundleId: text(info?.bundleId) ?? '' }];
  });
}

export function parseInfras(answer: unknown): InfraSummary[] {
  if (!Array.isArray(answer)) throw unexpected('list of infras');
  return answer.flatMap((item) => {
    const info = record(record(item)?.infraBasicInfo);
    const id = text(info?.id);
    const stage = text(info?.stage);
    return id === undefined || stage === undefined ? [] : [{ id, stage }];
  });
}

/** Where the stages are listed: the path clients use (the notes), then the reference's, on a 404 of the first. */
export const STAGE_PATHS = ['/project-deployer/stages', '/project-deployer/infras/stages'] as const;

/** The deployer's stages from the first path that answers; DSS's default stages when none does. */
export async function readStages(client: DssClient): Promise<unknown> {
  for (const path of STAGE_PATHS) {
    const answer = await client.getOrAbsent(path);
    if (answer !== undefined) return answer;
  }
  return undefined;
}

export async function readInventory(client: DssClient): Promise<DeployerInventory> {
  const [stages, deployments, infras] = await Promise.all([
    readStages(client),
    client.getJson('/project-deployer/deployments'),
    client.getJson('/project-deployer/infras'),
  ]);
  return { stages: parseStages(stages), deployments: parseDeployments(deployments), infras: parseInfras(infras) };
}

function parseHealthMessages(value: unknown): HealthMessage[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const m = record(item);
    const message = text(m?.message);
    if (message === undefined) return [];
    const parsed: HealthMessage = { message };
    const severity = text(m?.severity);
    const code = text(m?.code);
    if (severity !== undefined) parsed.severity = severity;
    if (code !== undefined) parsed.code = code;
    return [parsed];
  });
}

/**
 * The source's settings (which bundle) and status (its health). The reference's status has no deployed bundle id
 * (`{health, healthMessages, monitoring, ...}`): a field of that name from a lenient server is not relied on.
 */
export function parseSourceState(deploymentId: string, settings: unknown, status: unknown): SourceState {
  const bundleId = text(record(settings)?.bundleId);
  if (bundleId === undefined) throw unexpected(`settings of deployment ${deploymentId} (no bundleId)`);
  const s = record(status);
  const health = text(s?.health);
  if (health === undefined) throw unexpected(`status of deployment ${deploymentId} (no health)`);
  return { deploymentId, bundleId, health, healthMessages: parseHealthMessages(s?.healthMessages) };
}

export async function readSourceState(client: DssClient, deploymentId: string): Promise<SourceState> {
  const base = dssPath`/project-deployer/deployments/${deploymentId}`;
  const [settings, status] = await Promise.all([client.getJson(`${base}/settings`), client.getJson(`${base}/status`)]);
  return parseSourceState(deploymentId, settings, status);
}

export async function readHealth(client: DssClient, deploymentId: string): Promise<{ health: string; messages: string[] }> {
  const status = record(await client.getJson(dssPath`/project-deployer/deployments/${deploymentId}/status`));
  return { health: text(status?.health) ?? 'UNKNOWN', messages: parseHealthMessages(status?.healthMessages).map((m) => m.message) };
}
