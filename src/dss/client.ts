// The DSS public API client of one node: JSON over a keep-alive pool, HTTP Basic with the API key, typed errors,
// retries of transient failures, futures, and request counters. The API key lives only in a private field and
// in the Authorization header; it is never part of a message, a log line or the client's printable form.

import { inspect } from 'node:util';
import type { Dispatcher } from 'undici';
import { DEFAULTS, type DefaultsConfig, type NodeConfig } from '../config/types.js';
import { UserError } from '../errors.js';
import { SecretRegistry, scrubSecrets } from '../base/secrets.js';
import type { Logger } from '../base/logger.js';
import { DssApiError, isRetryable } from './errors.js';
import { waitForFuture } from './futures.js';
import { createNodePool, waitingIn, type NodePool } from './pool.js';
import { realTiming, retryAfterFailure, type Timing } from './retry.js';
import { RequestCounters } from './stats.js';
import { exchange, type Endpoint, type Exchange, type Reply } from './transport.js';
import type {
  ClientStats,
  DssClient,
  HttpMethod,
  RequestOptions,
  WaitForFutureOptions,
} from './types.js';

export const DEFAULT_BASE_PATH = '/public/api';

export interface DssClientOptions {
  nodeName: string;
  defaults?: DefaultsConfig;
  logger?: Logger;
  /** Replaces the node's own pool, e.g. undici's MockAgent in tests. The caller closes it. */
  dispatcher?: Dispatcher;
  /** Clock, random source and sleep; tests replace them to pin retry delays. */
  timing?: Partial<Timing>;
}

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export function createDssClient(node: NodeConfig, options: DssClientOptions): DssClient {
  return new HttpDssClient(node, options);
}

class HttpDssClient implements DssClient {
  readonly nodeName: string;
  readonly url: string;
  #dssVersion: string | undefined;
  readonly #endpoint: Endpoint;
  readonly #ownPool: NodePool | undefined;
  readonly #defaults: DefaultsConfig;
  readonly #log: Logger;
  readonly #timing: Timing;
  readonly #counters = new RequestCounters();

  constructor(node: NodeConfig, options: DssClientOptions) {
    this.nodeName = options.nodeName;
    this.#defaults = options.defaults ?? DEFAULTS;
    this.#log = options.logger ?? silent;
    this.#timing = { ...realTiming, ...options.timing };
    const parsed = parseNodeUrl(node.url, options.nodeName);
    this.url = parsed.url;
    if (node.insecure === true) {
      this.#log.warn(
        { node: this.nodeName, url: this.url },
        `TLS certificate verification is disabled for node ${this.nodeName} (insecure)`,
      );
    }
    this.#ownPool =
      options.dispatcher === undefined ? createNodePool(parsed.origin, node, this.#defaults.parallelism) : undefined;
    const apiKey = node.apiKey;
    const encoded = Buffer.from(`${apiKey}:`).toString('base64');
    const ownKey = new SecretRegistry([apiKey]);
    this.#endpoint = {
      nodeName: this.nodeName,
      url: this.url,
      origin: parsed.origin,
      prefix: parsed.pathPrefix + normalizeBasePath(node.basePath ?? DEFAULT_BASE_PATH),
      dispatcher: options.dispatcher ?? (this.#ownPool as NodePool).pool,
      authorization: `Basic ${encoded}`,
      // The client's own key (a client may live outside a CLI run), then everything the run knows.
      scrub: (text) => scrubSecrets(ownKey.redact(text)),
    };
    const ownPool = this.#ownPool;
    if (ownPool !== undefined) this.#endpoint.waiting = () => waitingIn(ownPool.pool);
  }

  get dssVersion(): string | undefined {
    return this.#dssVersion;
  }

  request<T = unknown>(method: HttpMethod, path: string, options: RequestOptions = {}): Promise<T> {
    return this.#send(method, path, options, false, false).then(dataOf) as Promise<T>;
  }

  getJson<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  getOrAbsent<T = unknown>(path: string, options: RequestOptions = {}): Promise<T | undefined> {
    return this.#send('GET', path, options, false, true).then(dataOf) as Promise<T | undefined>;
  }

  putJson<T = unknown>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body });
  }

  postJson<T = unknown>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, body === undefined ? options : { ...options, body });
  }

  deleteJson<T = unknown>(path: string, options?: RequestOptions): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  getBytes(path: string, options: RequestOptions = {}): Promise<Uint8Array> {
    return this.#send('GET', path, options, true, false).then(dataOf) as Promise<Uint8Array>;
  }

  waitForFuture<T = unknown>(jobId: string, options: WaitForFutureOptions = {}): Promise<T> {
    return waitForFuture<T>(
      {
        nodeName: this.nodeName,
        get: (path, requestOptions) => this.getJson(path, requestOptions),
        delete: (path) => this.deleteJson(path),
        timing: this.#timing,
        defaultTimeoutMs: this.#defaults.futureTimeoutMs,
        onAbortFailed: (error) =>
          this.#log.debug({ node: this.nodeName, jobId, err: describeError(error) }, 'could not abort the DSS job'),
      },
      jobId,
      options,
    );
  }

  stats(): ClientStats {
    return this.#counters.snapshot();
  }

  resetStats(): void {
    this.#counters.reset();
  }

  warmConnections(count: number): void {
    this.#ownPool?.warm.warm(Math.min(count, this.#defaults.parallelism) - 1);
  }

  async close(): Promise<void> {
    if (this.#ownPool === undefined) return;
    const { pool, warm } = this.#ownPool;
    warm.close();
    // An idle pool is destroyed, which ends every connection with one error: closing it makes an error per
    // connection, whose stack trace Node formats as it destroys the socket (~5 ms of CPU for 64 connections). A pool
    // with requests under way is closed, which lets them end first.
    if (pool.stats.size === 0) await pool.destroy();
    else await pool.close();
  }

  toJSON(): { nodeName: string; url: string } {
    return { nodeName: this.nodeName, url: this.url };
  }

  toString(): string {
    return `DssClient(${this.nodeName} ${this.url})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  /**
   * One call: its first attempt is sent here, with no retry loop around it (most answers come at once, and a plan
   * makes hundreds of calls); a failure goes on in #retry, where the retry rules decide what follows.
   */
  #send(method: HttpMethod, path: string, options: RequestOptions, binary: boolean, absentOk: boolean): Promise<Reply | undefined> {
    try {
      const timeoutMs =
        options.timeoutMs ?? (options.longJob === true ? this.#defaults.futureTimeoutMs : this.#defaults.requestTimeoutMs);
      // The call's clock (the retry budget's, the failure's log) starts as its first attempt is sent.
      const started = this.#timing.now();
      // One description of the exchange for every attempt; the optional fields are left out when not given.
      const ex: Exchange = { method, path, timeoutMs, binary, absentOk };
      if (options.query !== undefined) ex.query = options.query;
      if (options.body !== undefined) ex.body = options.body;
      if (options.rawBody !== undefined) ex.rawBody = options.rawBody;
      if (options.signal !== undefined) ex.signal = options.signal;
      this.#counters.count(method);
      return exchange(this.#endpoint, ex).then(
        (reply) => this.#answered(ex, reply, 1),
        (error: unknown) => this.#retry(ex, options, started, error),
      );
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** The answer of an attempt: logged, its DSS version kept; a 404 that the call allowed is absence. */
  #answered(ex: Exchange, reply: Reply, attempt: number): Reply | undefined {
    this.#log.debug({ node: this.nodeName, method: ex.method, path: ex.path, status: reply.status, attempt }, 'DSS request');
    if (reply.dssVersion !== undefined) this.#dssVersion = reply.dssVersion;
    return reply.absent === true ? undefined : reply;
  }

  /** After a failed first attempt: the retries the rules allow, or the call's error. */
  async #retry(ex: Exchange, options: RequestOptions, started: number, firstError: unknown): Promise<Reply | undefined> {
    const { method, path } = ex;
    try {
      return await retryAfterFailure(
        firstError,
        started,
        method,
        options.attempts === undefined ? this.#defaults.retries : { ...this.#defaults.retries, attempts: Math.max(1, Math.min(options.attempts, this.#defaults.retries.attempts)) },
        this.#timing,
        async (attempt) => {
          this.#counters.count(method);
          return this.#answered(ex, await exchange(this.#endpoint, ex), attempt);
        },
        {
          onRetry: (error, attempt, delayMs) => {
            this.#counters.retried();
            this.#log.warn(
              { node: this.nodeName, method, path, attempt, delayMs, err: describeError(error) },
              'retrying DSS request after a transient failure',
            );
          },
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(options.finalStatuses === undefined ? {} : { retryable: retryableExcept(method, options.finalStatuses) }),
        },
      );
    } catch (error) {
      if (ex.absentOk === true && error instanceof DssApiError && error.status === 404) return undefined;
      this.#counters.failed();
      this.#log.debug(
        { node: this.nodeName, method, path, ms: this.#timing.now() - started, err: describeError(error) },
        'DSS request failed',
      );
      throw error;
    }
  }
}

function dataOf(reply: Reply | undefined): unknown {
  return reply?.data;
}

function retryableExcept(method: HttpMethod, statuses: readonly number[]): (error: unknown) => boolean {
  return (error) => !(error instanceof DssApiError && statuses.includes(error.status)) && isRetryable(method, error);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Splits the node URL into origin and path prefix, dropping any credentials written into it. */
function parseNodeUrl(raw: string, nodeName: string): { url: string; origin: string; pathPrefix: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UserError('NODE_URL_INVALID', `the URL of node ${nodeName} is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UserError('NODE_URL_INVALID', `the URL of node ${nodeName} must start with http:// or https://`);
  }
  const pathPrefix = url.pathname.replace(/\/+$/, '');
  return { url: url.origin + pathPrefix, origin: url.origin, pathPrefix };
}

function normalizeBasePath(basePath: string): string {
  const trimmed = basePath.trim().replace(/\/+$/, '');
  if (trimmed === '') return '';
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}
