// How one simulated node talks to another (the deployer to an automation node, a design node to a remote
// deployer): the other node's public API over HTTP (undici), with the key configured for it.
// Failures become messages a person can act on (which node, which call, what it answered), never the key.

import { Agent, fetch, FormData, type Dispatcher } from 'undici';
import { FutureStepError } from './futures.js';
import type { InfraSettings } from './state.js';

export interface AutomationTarget {
  /** Who the node is, for messages: e.g. `the automation node of infra prod`. */
  label: string;
  /** The setting that holds the key, named when the node refuses it. */
  keySetting: string;
  /** The node's API root, base path included. */
  apiUrl: string;
  apiKey: string;
  trustAllSSLCertificates: boolean;
}

export interface CallOptions {
  query?: Record<string, string | undefined>;
  json?: unknown;
  /** A bundle archive, sent as the `file` part of a multipart form as DSS's clients do. */
  archive?: Uint8Array;
  signal?: AbortSignal;
  timeoutMs?: number;
}

export class AutomationCallError extends FutureStepError {
  constructor(
    message: string,
    /** The node's HTTP status; undefined when it could not be reached. */
    readonly nodeStatus?: number,
  ) {
    super(message);
  }
}

const insecureAgent = new Agent({ connect: { rejectUnauthorized: false } });

export function automationTarget(infra: InfraSettings): AutomationTarget {
  const url = typeof infra.automationNodeUrl === 'string' ? infra.automationNodeUrl.trim() : '';
  if (url === '') throw new AutomationCallError(`Infra ${infra.id} has no automationNodeUrl`);
  if (typeof infra.adminApiKey !== 'string' || infra.adminApiKey === '') {
    throw new AutomationCallError(`Infra ${infra.id} has no adminApiKey for its automation node`);
  }
  return {
    label: `the automation node of infra ${infra.id}`,
    keySetting: "the infra's adminApiKey",
    apiUrl: apiRoot(url),
    apiKey: infra.adminApiKey,
    trustAllSSLCertificates: infra.trustAllSSLCertificates,
  };
}

/** A node URL with or without base path → its API root. */
export function apiRoot(url: string): string {
  const base = url.replace(/\/+$/, '');
  return /\/(public\/api|dip\/publicapi)$/.test(base) ? base : `${base}/public/api`;
}

function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Calls the node; answers the parsed JSON body (undefined when empty), throws `AutomationCallError` otherwise. */
export async function callAutomation(
  target: AutomationTarget,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<unknown> {
  const url = new URL(`${target.apiUrl}${path}`);
  for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, v);
  const headers: Record<string, string> = {
    authorization: `Basic ${Buffer.from(`${target.apiKey}:`).toString('base64')}`,
  };
  let body: string | FormData | undefined;
  if (options.archive) {
    const form = new FormData();
    form.append('file', new Blob([options.archive], { type: 'application/zip' }), 'bundle.zip');
    body = form;
  } else if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] = 'application/json';
  }
  const signals = [AbortSignal.timeout(options.timeoutMs ?? 30_000)];
  if (options.signal) signals.push(options.signal);
  const dispatcher: Dispatcher | undefined = target.trustAllSSLCertificates ? insecureAgent : undefined;
  const where = `${target.label} (${new URL(target.apiUrl).origin})`;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.any(signals),
      ...(dispatcher ? { dispatcher } : {}),
    });
  } catch (error) {
    throw new AutomationCallError(`Cannot reach ${where}: ${describeNetworkError(error)}`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    parsed = text;
  }
  if (response.status === 401 || response.status === 403) {
    throw new AutomationCallError(
      `${where} refused the API key on ${method} ${path} (HTTP ${response.status}): check ${target.keySetting}`,
      response.status,
    );
  }
  if (response.status >= 400) {
    const message =
      typeof parsed === 'object' && parsed !== null && typeof (parsed as { message?: unknown }).message === 'string'
        ? (parsed as { message: string }).message
        : text.slice(0, 200);
    throw new AutomationCallError(`${method} ${path} on ${where} failed (HTTP ${response.status}): ${message}`, response.status);
  }
  return parsed;
}
