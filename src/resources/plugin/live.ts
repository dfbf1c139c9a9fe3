// Reading and writing a plugin on the design node: `GET /plugins/` (read once per run), its settings
// (`GET|POST /plugins/{id}/settings`: DSS saves plugin settings with a POST), and the futures of installs,
// updates, deletion and code env builds, waited for with the client's future timeout and their progress shown.

import { pathSegment } from '../../base/dss-path.js';
import { deepEqual, isObject, type Json } from '../../base/json.js';
import { objectAnswer, UnexpectedAnswerError } from '../../dss/answer.js';
import { DssGitopsError } from '../../errors.js';
import { memoPerRun } from '../run-memo.js';
import type { KindContext } from '../types.js';

export const PLUGINS_PATH = '/plugins/';

export function pluginPath(id: string): string {
  return `/plugins/${pathSegment(id)}`;
}

export interface PluginListItem {
  id: string;
  version: string;
  isDev: boolean;
  raw: Json;
}

/** `GET /plugins/`, checked: a list of objects that each have an `id`. */
export async function listPlugins(ctx: Pick<KindContext, 'client'>): Promise<PluginListItem[]> {
  const answer = await ctx.client.getJson<unknown>(PLUGINS_PATH);
  if (!Array.isArray(answer)) {
    throw new UnexpectedAnswerError(`GET ${PLUGINS_PATH}`, undefined, answer, 'a list of plugins');
  }
  return answer.filter(isObject).flatMap((item) =>
    typeof item.id === 'string'
      ? [{ id: item.id, version: typeof item.version === 'string' ? item.version : '', isDev: item.isDev === true, raw: item }]
      : [],
  );
}

/**
 * The run's one listing of the plugins, shared by the reads of the plugins the manifests declare and by the list of
 * the unmanaged ones (`listOnNode`).
 */
export function pluginsOfRun(ctx: KindContext): Promise<PluginListItem[]> {
  return memoPerRun(ctx, `list ${PLUGINS_PATH}`, () => listPlugins(ctx));
}

/** The installed plugin of that id, from the run's one listing. */
export async function installedPlugin(ctx: KindContext, id: string): Promise<PluginListItem | undefined> {
  return (await pluginsOfRun(ctx)).find((p) => p.id === id);
}

export async function readSettings(ctx: KindContext, id: string): Promise<Json> {
  const route = `${pluginPath(id)}/settings`;
  return objectAnswer(await ctx.client.getJson(route), `GET ${route}`);
}

/** The settings as the plan saw them: read once per run for the units of one plugin. */
export function settingsOfRun(ctx: KindContext, id: string): Promise<Json> {
  return memoPerRun(ctx, `plugin:settings:${id}`, () => readSettings(ctx, id));
}

/**
 * GET-modify-POST of the settings, the GET right before the POST: `build` lays the managed fields over what DSS
 * has now. The derived parameter set descriptors are not sent back. Nothing is written when nothing changes.
 */
export async function writeSettings(ctx: KindContext, id: string, build: (live: Json) => Json): Promise<void> {
  const live = await readSettings(ctx, id);
  const body = build(live);
  if (deepEqual(body, live)) return;
  const { accessibleParameterSetDescs: _derived, ...sent } = body;
  await ctx.client.postJson(`${pluginPath(id)}/settings`, sent);
}

/** Starts a job (an answer with a `jobId`) and waits for its result, reporting progress under `address`. */
export async function runJob(ctx: KindContext, address: string, route: string, start: () => Promise<unknown>, doing: string): Promise<Json> {
  const started = objectAnswer(await start(), `POST ${route}`);
  if (started.hasResult === true) return isObject(started.result) ? started.result : {};
  if (typeof started.jobId !== 'string') {
    throw new DssGitopsError('PLUGIN_JOB', `${address}: DSS answered POST ${route} with no jobId`, { fault: 'remote' });
  }
  ctx.progress?.(address, doing);
  const result = await ctx.client.waitForFuture<unknown>(started.jobId, {
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    onProgress: (p) => ctx.progress?.(address, p.states.join(' › ') || doing),
  });
  return isObject(result) ? result : {};
}
