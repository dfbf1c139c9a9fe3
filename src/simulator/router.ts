// Route table of the simulator: method + path pattern → handler. Paths are matched after the base path
// (`/public/api` or `/dip/publicapi`) and the trailing slash have been removed, so every route serves both forms.

import type { SimContext } from './context.js';

/** The privilege a route needs on the project it addresses (or globally when it addresses none). */
export type Privilege = 'READ_CONF' | 'WRITE_CONF' | 'ADMIN';

export interface SimRequest {
  method: string;
  /** Path relative to the base path, without trailing slash, e.g. `/projects/CHURN/metadata`. */
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The JSON body, parsed whatever the Content-Type; undefined when the body is empty. */
  body: unknown;
  rawBody: Buffer;
  /** Request headers, lower-cased names. */
  headers: Record<string, string | string[] | undefined>;
  /** The API key that authenticated the request (never logged). */
  apiKey: string;
}

export interface SimResponse {
  status?: number;
  json?: unknown;
  raw?: { contentType: string; body: Buffer };
}

export type SimHandler<C extends SimContext = SimContext> = (req: SimRequest, ctx: C) => SimResponse | Promise<SimResponse>;

export interface RouteOptions {
  /** Privilege needed; `project` names the route param that holds the project key (default `projectKey`). */
  privilege?: Privilege;
  /** Routes that only an admin key may call (the deployer, folder moves...). */
  adminOnly?: boolean;
  /** The route param that holds the project key (default `projectKey`). */
  project?: string;
  /** Do not parse the body as JSON (archives, multipart uploads): handlers read `rawBody`. */
  rawBody?: boolean;
}

export interface Route<C extends SimContext = SimContext> {
  method: string;
  pattern: string;
  regex: RegExp;
  paramNames: string[];
  handler: SimHandler<C>;
  options: RouteOptions;
}

export interface RouteMatch<C extends SimContext = SimContext> {
  route: Route<C>;
  params: Record<string, string>;
}

/** `C` is the context handlers get: the API's routes get a `SimContext`, the `/__sim` controls a wider one. */
export class Router<C extends SimContext = SimContext> {
  private readonly routes: Array<Route<C>> = [];

  /** Registers `pattern` such as `/projects/:projectKey/scenarios/:scenarioId`. */
  add(method: string, pattern: string, handler: SimHandler<C>, options: RouteOptions = {}): void {
    const paramNames: string[] = [];
    const source = pattern
      .split('/')
      .map((segment) => {
        if (segment.startsWith(':')) {
          paramNames.push(segment.slice(1));
          return '([^/]+)';
        }
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      })
      .join('/');
    this.routes.push({ method, pattern, regex: new RegExp(`^${source}$`), paramNames, handler, options });
  }

  get(pattern: string, handler: SimHandler<C>, options?: RouteOptions): void {
    this.add('GET', pattern, handler, options);
  }
  post(pattern: string, handler: SimHandler<C>, options?: RouteOptions): void {
    this.add('POST', pattern, handler, options);
  }
  put(pattern: string, handler: SimHandler<C>, options?: RouteOptions): void {
    this.add('PUT', pattern, handler, options);
  }
  delete(pattern: string, handler: SimHandler<C>, options?: RouteOptions): void {
    this.add('DELETE', pattern, handler, options);
  }

  /**
   * Finds the route for a request. Returns `methodNotAllowed` when the path exists under another method,
   * so that the server can answer 405 instead of 404. Static segments win over parameters at equal length
   * because routes are tried in registration order: register the more specific route first.
   */
  match(method: string, path: string): RouteMatch<C> | 'methodNotAllowed' | undefined {
    let pathExists = false;
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (route.method !== method) {
        pathExists = true;
        continue;
      }
      const params: Record<string, string> = {};
      route.paramNames.forEach((name, i) => {
        params[name] = decodeURIComponent(m[i + 1] ?? '');
      });
      return { route, params };
    }
    return pathExists ? 'methodNotAllowed' : undefined;
  }

  list(): ReadonlyArray<Route<C>> {
    return this.routes;
  }
}
