// Test builders for the DSS client against undici's MockAgent: a fake node, a clock that sleeps instantly and
// records the delays it was asked for, and a logger that keeps its entries.

import { MockAgent, type Interceptable } from 'undici';
import { createDssClient } from '../../src/dss/client.js';
import type { DssClient } from '../../src/dss/types.js';
import type { DefaultsConfig, NodeConfig } from '../../src/config/types.js';
import type { Logger } from '../../src/base/logger.js';

export const ORIGIN = 'https://dss.example.test:11200';
export const API_KEY = 'dkuaps-SECRETKEY-0123456789abcdef';
export const BASIC = `Basic ${Buffer.from(`${API_KEY}:`).toString('base64')}`;

export interface LogEntry {
  level: string;
  obj: object;
  msg: string | undefined;
}

export interface MockNode {
  agent: MockAgent;
  pool: Interceptable;
  client: DssClient;
  sleeps: number[];
  logs: LogEntry[];
  /** The fake clock, advanced by every sleep. */
  clock: { now: number };
}

export const testDefaults = (overrides: Partial<DefaultsConfig> = {}): DefaultsConfig => ({
  parallelism: 2,
  requestTimeoutMs: 5_000,
  futureTimeoutMs: 60_000,
  retries: { attempts: 4, baseDelayMs: 100, maxDelayMs: 1_000, maxElapsedMs: 10_000 },
  ...overrides,
});

export function mockNode(
  options: { node?: Partial<NodeConfig>; defaults?: DefaultsConfig; random?: () => number } = {},
): MockNode {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const sleeps: number[] = [];
  const logs: LogEntry[] = [];
  const clock = { now: 1_000_000 };
  const record =
    (level: string) =>
    (obj: object, msg?: string): void => {
      logs.push({ level, obj, msg });
    };
  const logger: Logger = { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') };
  const client = createDssClient(
    { url: ORIGIN, apiKey: API_KEY, ...options.node },
    {
      nodeName: 'design',
      defaults: options.defaults ?? testDefaults(),
      logger,
      dispatcher: agent,
      timing: {
        random: options.random ?? (() => 0.5),
        now: () => clock.now,
        sleep: (ms, signal) => {
          sleeps.push(ms);
          clock.now += ms;
          return signal?.aborted === true ? Promise.reject(signal.reason as Error) : Promise.resolve();
        },
      },
    },
  );
  return { agent, pool: agent.get(ORIGIN), client, sleeps, logs, clock };
}

export const dssError = (errorType: string, message: string): object => ({
  errorType,
  message,
  detailedMessage: message,
});

export const NOT_FOUND = 'com.dataiku.dip.server.controllers.NotFoundException';
export const UNAUTHORIZED = 'com.dataiku.dip.exceptions.UnauthorizedException';

export function connectionError(code: string): Error {
  return Object.assign(new Error(`simulated ${code}`), { code });
}
