// One HTTP exchange with a DSS node: builds the request, enforces the per-request timeout over the wait for a
// connection and, from when the request goes onto one, over the headers and the body, and turns whatever happens into
// a response or one of the typed errors. No retries here.

import { setImmediate } from 'node:timers';
import type { Dispatcher } from 'undici';
import { DssConnectionError, DssTimeoutError, errorCode } from './errors.js';
import { apiError, headerValue, parseJson, scrubbedError, tlsHint } from './reply.js';
import type { HttpMethod, QueryValue } from './types.js';

export interface Endpoint {
  nodeName: string;
  /** Node URL without credentials, for messages. */
  url: string;
  origin: string;
  /** Path prefix before the API path: the URL's own path plus the base path, e.g. `/public/api`. */
  prefix: string;
  dispatcher: Dispatcher;
  /** `Basic ...`; kept out of every message. */
  authorization: string;
  /** Removes the key from text DSS or a proxy may have echoed back. */
  scrub: (text: string) => string;
  /** How many requests wait in the dispatcher for a connection (the node's own pool); unknown for another dispatcher. */
  waiting?: () => number;
}

export interface Exchange {
  method: HttpMethod;
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  rawBody?: Uint8Array;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Read the body as bytes rather than JSON. */
  binary?: boolean;
  /** A 404 is an answer (the object is absent), not an error: no error is built for it. */
  absentOk?: boolean;
}

export interface Reply {
  status: number;
  /** Parsed JSON (undefined for an empty body), or bytes for binary exchanges. */
  data: unknown;
  dssVersion: string | undefined;
  /** A 404 of an exchange that allowed it. */
  absent?: true;
}

export function buildPath(prefix: string, path: string, query: Record<string, QueryValue> | undefined): string {
  const joined = `${prefix}${path.startsWith('/') ? '' : '/'}${path}`;
  if (query === undefined) return joined;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined) params.append(key, String(value));
  }
  const search = params.toString();
  return search === '' ? joined : `${joined}?${search}`;
}

/** The exchange's answer, or the error it ends with: settles the promise once, whatever undici calls after. */
export function exchange(endpoint: Endpoint, ex: Exchange): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    new ExchangeHandler(endpoint, ex, resolve, reject).start();
  });
}

const NO_HEADERS: Record<string, string | string[] | undefined> = {};
const EMPTY_BODY = Buffer.alloc(0);

/**
 * The headers of an exchange without a body, one object per endpoint and accepted type rather than one per exchange:
 * undici reads a request's headers and never changes them.
 */
const bareHeadersOf = new WeakMap<Endpoint, { json: Record<string, string>; binary: Record<string, string> }>();

function bareHeaders(endpoint: Endpoint, binary: boolean): Record<string, string> {
  let both = bareHeadersOf.get(endpoint);
  if (both === undefined) {
    both = {
      json: { authorization: endpoint.authorization, accept: 'application/json' },
      binary: { authorization: endpoint.authorization, accept: '*/*' },
    };
    bareHeadersOf.set(endpoint, both);
  }
  return binary ? both.binary : both.json;
}

/** The reason undici is given when the exchange stops it: what the caller sees is decided here, not by undici. */
const STOPPED = new Error('the exchange was stopped');

/**
 * One exchange driven through the dispatcher's handler interface: the body is collected as it arrives, with no
 * stream, abort signal or async resource per request (undici's `request` makes all three, a third of the client's
 * CPU per request). The timeout bounds the wait for a connection, and is started again as the request goes onto one
 * for its headers and body: a request is not cut short by the time it waited behind others.
 */
class ExchangeHandler implements Dispatcher.DispatchHandler {
  readonly #endpoint: Endpoint;
  readonly #ex: Exchange;
  readonly #resolve: (reply: Reply) => void;
  readonly #reject: (error: unknown) => void;
  #controller: Dispatcher.DispatchController | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #settled = false;
  #status = 0;
  #headers: Record<string, string | string[] | undefined> = NO_HEADERS;
  /** The body's first chunk, and the others when it came in more than one (most answers come in one). */
  #first: Buffer | undefined;
  #more: Buffer[] | undefined;
  #size = 0;

  constructor(endpoint: Endpoint, ex: Exchange, resolve: (reply: Reply) => void, reject: (error: unknown) => void) {
    this.#endpoint = endpoint;
    this.#ex = ex;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(): void {
    const ex = this.#ex;
    const endpoint = this.#endpoint;
    if (ex.signal?.aborted === true) {
      this.#refuse(ex.signal.reason);
      return;
    }
    let headers: Record<string, string>;
    let body: string | Uint8Array | null = null;
    if (ex.rawBody !== undefined) {
      headers = { ...bareHeaders(endpoint, ex.binary === true), 'content-type': 'application/octet-stream' };
      body = ex.rawBody;
    } else if (ex.body !== undefined) {
      headers = { ...bareHeaders(endpoint, ex.binary === true), 'content-type': 'application/json' };
      body = JSON.stringify(ex.body);
    } else {
      headers = bareHeaders(endpoint, ex.binary === true);
    }
    // The handler rides along as the timer's argument and is the abort listener itself (handleEvent): no closure
    // is made per exchange.
    this.#timer = setTimeout(onTimeout, ex.timeoutMs, this);
    ex.signal?.addEventListener('abort', this, { once: true });
    try {
      endpoint.dispatcher.dispatch(
        { origin: endpoint.origin, path: buildPath(endpoint.prefix, ex.path, ex.query), method: ex.method, headers, body },
        this,
      );
    } catch (error) {
      this.#fail(error);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // Timed out or cancelled while it waited for a connection: it is not sent.
    if (this.#settled) controller.abort(STOPPED);
    // On a connection now, written next: the whole timeout again for the headers and the body.
    else this.#timer?.refresh();
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    // 1xx answers are provisional: the real one follows.
    if (statusCode < 200) return;
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.#first === undefined) this.#first = chunk;
    else (this.#more ??= [this.#first]).push(chunk);
    this.#size += chunk.length;
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    const endpoint = this.#endpoint;
    const ex = this.#ex;
    const status = this.#status;
    const bytes = this.#more !== undefined ? Buffer.concat(this.#more, this.#size) : (this.#first ?? EMPTY_BODY);
    this.#first = undefined;
    this.#more = undefined;
    try {
      const dssVersion = headerValue(this.#headers['dss-version']);
      if (status >= 400) {
        if (status === 404 && ex.absentOk === true) {
          this.#answer({ status, data: undefined, dssVersion, absent: true });
          return;
        }
        throw apiError(endpoint, ex, status, bytes, headerValue(this.#headers['retry-after']));
      }
      const data = ex.binary === true ? new Uint8Array(bytes) : parseJson(endpoint, ex, status, bytes);
      this.#answer({ status, data, dssVersion });
    } catch (error) {
      this.#refuse(error);
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    this.#fail(error);
  }

  /** The exchange's time is up. */
  timeout(): void {
    if (this.#settled) return;
    const endpoint = this.#endpoint;
    const ex = this.#ex;
    this.#refuse(new DssTimeoutError({ ...placeOf(endpoint, ex), timeoutMs: ex.timeoutMs }));
    this.#controller?.abort(STOPPED);
  }

  /** The caller's signal aborted (the handler is its listener). */
  handleEvent(): void {
    if (this.#settled) return;
    this.#refuse(this.#ex.signal?.reason);
    this.#controller?.abort(STOPPED);
  }

  /** A failure to exchange at all (connection, TLS, a dispatcher's own error), as a typed connection error. */
  #fail(error: unknown): void {
    if (this.#settled) return;
    const endpoint = this.#endpoint;
    const ex = this.#ex;
    const causeCode = errorCode(error);
    const cause = scrubbedError(endpoint, error, causeCode);
    this.#refuse(
      new DssConnectionError(
        { ...placeOf(endpoint, ex), reason: tlsHint(causeCode, cause.message), ...(causeCode === undefined ? {} : { causeCode }) },
        { cause },
      ),
    );
  }

  /**
   * Gives the answer to the caller: at once, or, while other requests wait in the pool for a connection, after two
   * turns of the event loop. undici gives a connection freed by an answer its next request in the check phase after
   * that answer, and writes it (once it has seen the idle socket stay open) in the check phase after that; an answer
   * given at once is processed before both, so each waiting request also waited for the processing of every answer
   * that came in meanwhile (~0.8 ms a round in a plan at parallelism 16). Given later, the waiting requests are on
   * the wire first: the reads of that plan end ~35 ms sooner in 1.1 s. Errors are given at once: an error may reach
   * its caller before an earlier answer does. A caller that aborts before its answer is given gets the abort.
   */
  #answer(reply: Reply): void {
    if (!this.#end()) return;
    if ((this.#endpoint.waiting?.() ?? 0) === 0) {
      this.#resolve(reply);
      return;
    }
    // queueMicrotask first: undici schedules its own resume once this handler has returned.
    queueMicrotask(() => setImmediate(answerLater, this, reply));
  }

  /** Gives an answer held back by #answer, two turns of the event loop after it came. */
  deliver(reply: Reply): void {
    const signal = this.#ex.signal;
    if (signal?.aborted === true) this.#reject(signal.reason);
    else this.#resolve(reply);
  }

  #refuse(error: unknown): void {
    if (this.#end()) this.#reject(error);
  }

  /** Whether this call ends the exchange (false when it had already ended). */
  #end(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#ex.signal?.removeEventListener('abort', this);
    return true;
  }
}

function onTimeout(handler: ExchangeHandler): void {
  handler.timeout();
}

function answerLater(handler: ExchangeHandler, reply: Reply): void {
  setImmediate(deliverAnswer, handler, reply);
}

function deliverAnswer(handler: ExchangeHandler, reply: Reply): void {
  handler.deliver(reply);
}

function placeOf(endpoint: Endpoint, ex: Exchange): { nodeName: string; url: string; method: HttpMethod; path: string } {
  return { nodeName: endpoint.nodeName, url: endpoint.url, method: ex.method, path: ex.path };
}
