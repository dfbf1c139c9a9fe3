// Starts and stops a simulator for a test, and calls its API with the admin key (or another key) in one line.
//
//   const sim = await startTestSimulator();
//   afterAll(() => sim.close());
//   const { status, json } = await sim.call('GET', '/projects/');
//   await sim.control('PUT', '/deployer/config', { futureStepMs: 0 });

import { tmpdir } from 'node:os';
import { afterEach } from 'vitest';
import { join } from 'node:path';
import { startSimulator, type SimulatorHandle, type SimulatorOptions } from '../../src/simulator/server.js';

export const TEST_ADMIN_KEY = 'test-admin-key';
/** The key sealing the secrets of test state files, unless a test names its own: never the user's own key file. */
export const TEST_STATE_KEY_FILE = join(tmpdir(), 'dss-gitops-test', 'sim-state.key');

export interface CallOptions {
  /** API key to use instead of the admin key; `null` sends no Authorization header. */
  key?: string | null;
  /** Base path (default `/public/api`). */
  basePath?: string;
  headers?: Record<string, string>;
  /** Sends `body` as is rather than JSON-encoding it. */
  rawBody?: string | Buffer;
  /** Omits the `Content-Type` header, as some DSS clients do. */
  noContentType?: boolean;
}

export interface CallResult<T = unknown> {
  status: number;
  headers: Headers;
  json: T;
  text: string;
}

export interface TestSimulator extends SimulatorHandle {
  /** Calls the API at `path` (relative to the base path, query string allowed). */
  call<T = unknown>(method: string, path: string, body?: unknown, options?: CallOptions): Promise<CallResult<T>>;
  /** The same as `call`, but fails the test unless the status is 2xx. */
  ok<T = unknown>(method: string, path: string, body?: unknown, options?: CallOptions): Promise<T>;
  /** Calls the control at `/__sim{path}` with the admin key, failing the test unless the status is 2xx. */
  control<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
}

export function basicAuth(key: string): string {
  return `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
}

export async function startTestSimulator(options: SimulatorOptions = {}): Promise<TestSimulator> {
  const handle = await startSimulator({ adminKey: TEST_ADMIN_KEY, stateKeyFile: TEST_STATE_KEY_FILE, ...options });
  const call = async <T>(method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<CallResult<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    const key = opts.key === undefined ? handle.adminKey : opts.key;
    if (key !== null) headers.authorization = basicAuth(key);
    let payload: string | Buffer | undefined;
    if (opts.rawBody !== undefined) payload = opts.rawBody;
    else if (body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && !opts.noContentType) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${handle.url}${opts.basePath ?? '/public/api'}${path}`, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
      redirect: 'manual',
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, json: json as T, text };
  };
  const ok = async <T>(method: string, path: string, body?: unknown, opts?: CallOptions): Promise<T> => {
    const result = await call<T>(method, path, body, opts);
    if (result.status < 200 || result.status >= 300) {
      throw new Error(`${method} ${path} answered ${result.status}: ${result.text}`);
    }
    return result.json;
  };
  const control = <T>(method: string, path: string, body?: unknown): Promise<T> =>
    ok<T>(method, `/__sim${path}`, body, { basePath: '' });
  return Object.assign(handle, { call, ok, control });
}

/**
 * Starts simulators for one test file and closes them after each test: `const start = useSimulators();` at the top
 * level, then `const sim = await start({...})` inside a test.
 */
export function useSimulators(): (options?: Parameters<typeof startTestSimulator>[0]) => Promise<TestSimulator> {
  const running: TestSimulator[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((sim) => sim.close()));
  });
  return async (options = {}) => {
    const sim = await startTestSimulator(options);
    running.push(sim);
    return sim;
  };
}
