// The DSS public API simulator: an HTTP server that behaves like a DSS node (both base paths, API-key auth,
// DSS error bodies), plus controls for tests: request counts, latency, faults, state dump and persistence.

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { KeyRing, type SimApiKey } from './auth.js';
import type { SimContext } from './context.js';
import { createControlRouter, handleControl, type ControlContext, type ResetOptions, type SimControls } from './controls.js';
import { forbidden, notFound, SimHttpError, ERROR_TYPES } from './errors.js';
import { FaultInjector, faultLabel, type FaultRule } from './faults.js';
import {
  type AnswerTarget,
  CONTROL_PREFIX,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_JSON_BODY_BYTES,
  hasLargeUnreadBody,
  parseJsonBody,
  readBody,
  sendError,
  sendJson,
  sendRaw,
  stripBasePath,
} from './http.js';
import { defaultStateKeyFile, loadState, loadStateKey, StateSaver } from './persistence.js';
import { Router, type RouteMatch } from './router.js';
import { registerAllRoutes, type RouteRegistrar } from './routes.js';
import { StatsRecorder, type SimStats } from './stats.js';
import { createState, type SimState } from './state.js';

/** The methods that change nothing, answered as they arrive when latency is injected. */
const READS = new Set(['GET', 'HEAD']);

export interface SimulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** File the state is loaded from on start and saved to after each change (0600, secret values sealed). */
  stateFile?: string;
  /**
   * File of the key that seals the secret values of `stateFile`, created on first use; keep it out of the working
   * tree. Default: `$DSS_SIM_STATE_KEY_FILE`, else `$XDG_STATE_HOME/dss-gitops/sim-state.key` (`~/.local/state`).
   */
  stateKeyFile?: string;
  /**
   * Strings of `stateFile` to seal whatever their key, besides those under secret names: the embedded node of
   * `--sim` passes the client run's known secrets, which a standalone node cannot know.
   */
  sealStrings?: (text: string) => boolean;
  /**
   * Delay of every API request, in milliseconds: a read (GET) is answered this long after it arrives, its answer made
   * meanwhile; a write waits this long, then takes effect.
   */
  latencyMs?: number;
  faults?: FaultRule[];
  /** The admin key; a random one when absent (read it from the handle). */
  adminKey?: string;
  /** Further keys, scoped to projects. */
  apiKeys?: SimApiKey[];
  /** Largest body of a bundle archive upload or a `/__sim` control, in bytes (default 64 MiB); larger ones get 413. */
  maxBodyBytes?: number;
  /** Largest JSON body of an API request, in bytes (default 8 MiB); larger ones get 413. */
  maxJsonBodyBytes?: number;
  /** How long a client may take to send its request headers, in milliseconds (default 20 s); then 408. */
  headersTimeoutMs?: number;
  /** How long a client may take to send its whole request, in milliseconds (default 5 min); then 408. */
  requestTimeoutMs?: number;
  /** Clock, for tests that move time forward. */
  now?: () => number;
  /** Random source of the fault rates, for deterministic tests. */
  random?: () => number;
  /** How long a scenario run takes before it succeeds, in milliseconds (default 200). */
  scenarioRunMs?: number;
  /**
   * Route families served besides DSS's own, registered after them (a test's own kind and its routes). Their
   * requests are authenticated, counted and faulted like every other.
   */
  routes?: readonly RouteRegistrar[];
}

export interface SimulatorHandle extends SimControls {
  /** Base URL of the node, e.g. `http://127.0.0.1:41234` (API under `/public/api`). */
  readonly url: string;
  readonly adminKey: string;
  readonly router: Router;
  /** Saves pending state changes and stops the server. */
  close(): Promise<void>;
  /** Saves pending state changes now. */
  flush(): Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const adminKey = options.adminKey ?? randomBytes(24).toString('base64url');
  const keys = new KeyRing(adminKey, options.apiKeys);
  const router = new Router();
  registerAllRoutes(router);
  for (const register of options.routes ?? []) register(router);
  const controlRouter = createControlRouter();
  const stats = new StatsRecorder();
  const faults = new FaultInjector(options.faults, options.random);
  const now = options.now ?? Date.now;
  let latencyMs = options.latencyMs ?? 0;
  const fresh = (): SimState => {
    const created = createState();
    if (options.scenarioRunMs !== undefined) created.design.scenarioRunMs = options.scenarioRunMs;
    return created;
  };
  let state: SimState = fresh();
  let saver: StateSaver | undefined;
  if (options.stateFile) {
    const keyFile = options.stateKeyFile ?? defaultStateKeyFile(process.env);
    const sealer = loadStateKey(keyFile);
    const loaded = loadState(options.stateFile, sealer, keyFile, options.sealStrings);
    state = loaded.state;
    saver = new StateSaver(options.stateFile, () => state, sealer, undefined, options.sealStrings);
    // A file written before secrets were sealed is sealed now, not at the next change.
    if (loaded.clearSecrets > 0) saver.schedule();
  }
  if (options.scenarioRunMs !== undefined) state.design.scenarioRunMs = options.scenarioRunMs;
  let url = '';

  const controls: SimControls = {
    stats: (): SimStats => stats.snapshot(),
    reset: (what: ResetOptions = {}) => {
      if (what.stats ?? true) stats.reset();
      if (what.state ?? true) {
        state = fresh();
        saver?.schedule();
      }
      if (what.faults ?? false) faults.set([]);
    },
    faults: () => faults.list(),
    setFaults: (rules) => faults.set(rules),
    addFault: (rule) => faults.add(rule),
    latency: () => latencyMs,
    setLatency: (ms) => {
      latencyMs = ms;
    },
    state: () => state,
    replaceState: (next) => {
      state = { ...createState(), ...structuredClone(next) };
      saver?.schedule();
    },
  };

  const sockets = new Set<Socket>();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxJsonBodyBytes = options.maxJsonBodyBytes ?? DEFAULT_MAX_JSON_BODY_BYTES;
  const server = createServer(
    {
      // Slow clients (slowloris) are cut off: headers must arrive in time, and so must the whole request. Node checks
      // these deadlines every connectionsCheckingInterval, 30 s by default: too coarse for a 20 s deadline.
      headersTimeout: options.headersTimeoutMs ?? 20_000,
      requestTimeout: options.requestTimeoutMs ?? 300_000,
      connectionsCheckingInterval: Math.min(1_000, options.headersTimeoutMs ?? 1_000),
      // Request line and headers together (Node's default, stated so that `--max-http-header-size` cannot raise it).
      maxHeaderSize: 16 * 1024,
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) refuse(req, res, internalError(error));
        else res.destroy();
      });
    },
  );
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const parsed = new URL(req.url ?? '/', 'http://simulator');
    if (parsed.pathname === CONTROL_PREFIX || parsed.pathname.startsWith(`${CONTROL_PREFIX}/`)) {
      await control(req, res, method, parsed);
      return;
    }
    const path = stripBasePath(parsed.pathname);
    const match = path === undefined ? undefined : router.match(method, path);
    const pattern = typeof match === 'object' ? match.route.pattern : undefined;
    stats.record(method, pattern);
    // A read changes nothing: its answer is made as it arrives and sent once the latency has passed, as a node that
    // serves requests on many threads sends it, so that the latency is the time from arrival to answer. A write waits
    // for the latency, then takes effect. Faults are decided once the latency has passed, for both.
    let early: Promise<HeldResponse> | undefined;
    if (latencyMs > 0) {
      const due = new Promise((resolve) => setTimeout(resolve, latencyMs));
      if (path !== undefined && typeof match === 'object' && READS.has(method)) {
        early = answerHeld(req, res, match, path, parsed.searchParams, method);
      }
      await due;
    }
    const fault = faults.decide({ method, route: pattern, path: path ?? parsed.pathname });
    if (fault) stats.fault(faultLabel(fault));
    if (fault?.kind === 'drop' || fault?.kind === 'reset-before') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'throttle') {
      const error = new SimHttpError(429, ERROR_TYPES.internal, 'Too many requests', 'Too many requests', {
        'Retry-After': String(fault.retryAfterSeconds),
      });
      refuse(req, res, error);
      return;
    }
    if (fault?.kind === 'status') {
      refuse(req, res, new SimHttpError(fault.status, ERROR_TYPES.internal, `Simulated failure (HTTP ${fault.status})`));
      return;
    }
    try {
      if (path === undefined || match === undefined) throw notFound(`No such API endpoint: ${method} ${parsed.pathname}`);
      if (match === 'methodNotAllowed') {
        throw new SimHttpError(405, ERROR_TYPES.illegalArgument, `Method ${method} not allowed on ${parsed.pathname}`);
      }
      if (fault?.kind === 'lost-response') {
        // The request takes effect (or fails) as it would, and the connection breaks before any answer.
        if (early) await early;
        else await dispatch(req, unanswered(res), match, path, parsed.searchParams, method).catch(() => undefined);
        req.socket.destroy();
        return;
      }
      if (early) (await early).send();
      else await dispatch(req, res, match, path, parsed.searchParams, method);
    } catch (error) {
      refuse(req, res, internalError(error));
    }
  }

  /** A `/__sim` control: the admin key only, no latency or faults, not counted. */
  async function control(req: IncomingMessage, res: ServerResponse, method: string, parsed: URL): Promise<void> {
    const path = parsed.pathname.slice(CONTROL_PREFIX.length).replace(/\/+$/, '');
    try {
      // They hand out every secret the node holds (state dumps): the admin key, checked before the body is read.
      const key = keys.authenticate(req.headers.authorization);
      if (!key.admin) throw forbidden('Action forbidden: the simulator controls need the admin key');
      const rawBody = await readBody(req, maxBodyBytes);
      const ctx: ControlContext = {
        state,
        changed: () => saver?.schedule(),
        now,
        url,
        userLogin: 'admin',
        canRead: () => true,
        controls,
      };
      const body = parseJsonBody(rawBody);
      const request = { method, path, query: parsed.searchParams, body, rawBody, headers: req.headers, apiKey: '' };
      const result = await handleControl(controlRouter, request, ctx);
      sendJson(res, result.status ?? 200, result.json ?? {});
    } catch (error) {
      refuse(req, res, internalError(error));
    }
  }

  /** A read answered now into a held response, sent later; a failure is answered as `handle` answers it. */
  async function answerHeld(
    req: IncomingMessage,
    res: ServerResponse,
    match: RouteMatch,
    path: string,
    query: URLSearchParams,
    method: string,
  ): Promise<HeldResponse> {
    const held = new HeldResponse(res);
    // Once the requests that arrived with this one have been read and their latency started: the node has one thread,
    // and an answer made at once would start theirs only after it.
    await new Promise(setImmediate);
    await dispatch(req, held, match, path, query, method).catch((error: unknown) => {
      refuse(req, held, internalError(error));
    });
    return held;
  }

  async function dispatch(
    req: IncomingMessage,
    res: AnswerTarget,
    match: RouteMatch,
    path: string,
    query: URLSearchParams,
    method: string,
  ): Promise<void> {
    // Who is asking, before a byte of the body is read: a client without a key cannot make the node buffer anything.
    const key = keys.authenticate(req.headers.authorization);
    keys.authorize(key, match.route.options, match.params);
    const rawBody = await readBody(req, match.route.options.rawBody ? maxBodyBytes : maxJsonBodyBytes);
    const body = match.route.options.rawBody ? undefined : parseJsonBody(rawBody);
    const ctx: SimContext = {
      state,
      changed: () => saver?.schedule(),
      now,
      url,
      userLogin: key.login ?? 'api',
      canRead: (projectKey) => keys.canRead(key, projectKey),
    };
    const answer = match.route.handler(
      { method, path, params: match.params, query, body, rawBody, headers: req.headers, apiKey: key.key },
      ctx,
    );
    // An answer given at once is serialized at once, before any other request runs: a route may answer with the
    // object it stores, without copying it (the reads a plan sends by the thousand do).
    const result = answer instanceof Promise ? await answer : answer;
    if (result.raw) sendRaw(res, result.status ?? 200, result.raw.contentType, result.raw.body);
    else sendJson(res, result.status ?? 200, result.json ?? {});
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `http://${host}:${address.port}`;

  return {
    ...controls,
    url,
    adminKey,
    router,
    flush: async () => {
      await saver?.flush();
    },
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      await saver?.flush();
    },
  };
}

/**
 * Answers an error. A large body still on the wire is left unread and the connection closed after the answer, so
 * that a refused upload costs the node nothing.
 */
function refuse(req: IncomingMessage, res: AnswerTarget, error: SimHttpError): void {
  if (hasLargeUnreadBody(req) && error.headers.Connection === undefined) {
    sendError(res, new SimHttpError(error.status, error.errorType, error.message, error.detailedMessage, { ...error.headers, Connection: 'close' }));
    return;
  }
  sendError(res, error);
}

/** A response whose answer goes nowhere: what a `lost-response` fault lets the handler write into. */
function unanswered(res: ServerResponse): ServerResponse {
  return Object.assign(Object.create(res) as ServerResponse, {
    writeHead: () => res,
    end: () => res,
  });
}

/** An answer kept until `send()`: what a read answered as it arrives writes into. */
class HeldResponse implements AnswerTarget {
  private status = 500;
  private headers: OutgoingHttpHeaders = {};
  private body: string | Buffer | undefined;

  constructor(private readonly res: ServerResponse) {}

  writeHead(status: number, headers: OutgoingHttpHeaders): void {
    this.status = status;
    this.headers = headers;
  }

  end(body?: string | Buffer): void {
    this.body = body;
  }

  /** Sends the answer written into it. */
  send(): void {
    this.res.writeHead(this.status, this.headers);
    this.res.end(this.body);
  }
}

function internalError(error: unknown): SimHttpError {
  if (error instanceof SimHttpError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new SimHttpError(500, ERROR_TYPES.internal, `Internal error: ${message}`);
}
