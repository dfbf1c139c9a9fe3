// The contract of the DSS API client, as the reconciler, the resource kinds and the deployer use it.
// The implementation lives beside this file; tests may provide their own.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** A JSON body. */
  body?: unknown;
  /** A binary body (e.g. a bundle archive upload), sent as application/octet-stream. */
  rawBody?: Uint8Array;
  /** Overrides the per-request timeout of the client. */
  timeoutMs?: number;
  /**
   * The request is a DSS job that answers only when it is over (a code env build): it waits up to the client's
   * future timeout instead of its request timeout. `timeoutMs` still wins when given.
   */
  longJob?: boolean;
  /** Cancels the request, and any retry still to come. */
  signal?: AbortSignal;
  /**
   * At most this many attempts, when fewer than the client's retries allow: 1 sends the request once. A read sent
   * beside the connection check takes 1, so that with DSS down only the check retries (one set of warnings).
   */
  attempts?: number;
  /**
   * Statuses that are this call's answer rather than a passing failure, never retried: a failed job answers
   * `GET /futures/{id}` with 500, every time it is asked.
   */
  finalStatuses?: readonly number[];
}

export interface ClientStats {
  /** GET requests sent, retries included. */
  reads: number;
  /** POST, PUT and DELETE requests sent, retries included. */
  writes: number;
  byMethod: Record<HttpMethod, number>;
  retries: number;
  /** Requests that ended in an error after retries. */
  errors: number;
}

export interface FutureProgress {
  jobId: string;
  /** Human-readable steps reported by DSS, outermost first. */
  states: string[];
  /** 0..1 when DSS reports it. */
  fraction?: number;
}

export interface WaitForFutureOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: FutureProgress) => void;
}

export interface DssClient {
  /** Which configured node this client talks to, e.g. `design` or `deployer`. */
  readonly nodeName: string;
  /** The node's URL, without API key and without base path. */
  readonly url: string;
  /** The `DSS-Version` header of the last response, for diagnostics. */
  readonly dssVersion: string | undefined;

  request<T = unknown>(method: HttpMethod, path: string, options?: RequestOptions): Promise<T>;
  getJson<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
  /** GET that answers `undefined` on 404 instead of throwing. */
  getOrAbsent<T = unknown>(path: string, options?: RequestOptions): Promise<T | undefined>;
  putJson<T = unknown>(path: string, body: unknown, options?: RequestOptions): Promise<T>;
  postJson<T = unknown>(path: string, body?: unknown, options?: RequestOptions): Promise<T>;
  deleteJson<T = unknown>(path: string, options?: RequestOptions): Promise<T>;
  getBytes(path: string, options?: RequestOptions): Promise<Uint8Array>;
  /** Polls `/futures/{jobId}` until it has a result; throws on failure, abort or timeout. */
  waitForFuture<T = unknown>(jobId: string, options?: WaitForFutureOptions): Promise<T>;

  stats(): ClientStats;
  resetStats(): void;
  /**
   * Opens up to `count` connections in all (at most the parallelism) when the first one opens, instead of one at a
   * time as requests find every connection busy: for a run about to send many requests at once. Sends nothing.
   */
  warmConnections(count: number): void;
  close(): Promise<void>;
}
