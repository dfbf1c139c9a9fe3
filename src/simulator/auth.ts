// API keys of the simulated node: one admin key, plus keys scoped to some projects with privileges, so that
// tests can check 401 and 403 answers the way DSS gives them.

import { forbidden, unauthorized } from './errors.js';
import type { Privilege, RouteOptions } from './router.js';

export interface SimApiKey {
  key: string;
  /** The login DSS records as the author of changes made with this key. */
  login?: string;
  /** An admin key may do everything. */
  admin?: boolean;
  /** Privileges by project key. */
  projects?: Record<string, Privilege[]>;
  /** Privileges on routes that address no project (e.g. WRITE_CONF lets the key create projects). */
  global?: Privilege[];
}

/** Each privilege includes the ones before it. */
const RANK: Record<Privilege, number> = { READ_CONF: 1, WRITE_CONF: 2, ADMIN: 3 };

export function hasPrivilege(granted: readonly Privilege[] | undefined, needed: Privilege): boolean {
  return (granted ?? []).some((p) => RANK[p] >= RANK[needed]);
}

/** Reads the key from `Authorization: Basic base64(KEY:)`; DSS also takes a Bearer token. */
export function keyFromAuthorization(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value] = header.split(' ', 2);
  if (!value) return undefined;
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value.trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = colon >= 0 ? decoded.slice(0, colon) : decoded;
  return user.length > 0 ? user : undefined;
}

/** How many distinct Authorization headers the key ring remembers the key of (clients send the same one each time). */
const DECODED_HEADERS = 64;

export class KeyRing {
  private readonly keys = new Map<string, SimApiKey>();
  /** The key each recent Authorization header carries: a run sends thousands of requests with one header. */
  private readonly decoded = new Map<string, string | undefined>();

  constructor(adminKey: string, others: readonly SimApiKey[] = []) {
    this.keys.set(adminKey, { key: adminKey, login: 'admin', admin: true });
    for (const k of others) this.keys.set(k.key, k);
  }

  /** Returns the key's record, or throws 401 without or with an unknown key. */
  authenticate(header: string | undefined): SimApiKey {
    const key = this.keyOf(header);
    if (key === undefined) throw unauthorized('No credentials provided: use HTTP Basic with the API key as user');
    const found = this.keys.get(key);
    if (!found) throw unauthorized('Invalid API key');
    return found;
  }

  private keyOf(header: string | undefined): string | undefined {
    if (header === undefined) return undefined;
    if (this.decoded.has(header)) return this.decoded.get(header);
    const key = keyFromAuthorization(header);
    if (this.decoded.size >= DECODED_HEADERS) this.decoded.clear();
    this.decoded.set(header, key);
    return key;
  }

  /** Throws 403 when the key lacks what the route needs. */
  authorize(key: SimApiKey, options: RouteOptions, params: Record<string, string>): void {
    if (key.admin) return;
    if (options.adminOnly) throw forbidden('Action forbidden: you need administrator rights');
    if (!options.privilege) return;
    const projectKey = params[options.project ?? 'projectKey'];
    const granted = projectKey === undefined ? key.global : key.projects?.[projectKey];
    if (!hasPrivilege(granted, options.privilege)) {
      const on = projectKey === undefined ? 'this instance' : `project ${projectKey}`;
      throw forbidden(`Action forbidden: you need ${options.privilege} on ${on}`);
    }
  }

  /** Whether `key` may read `projectKey` (used to filter lists). */
  canRead(key: SimApiKey, projectKey: string): boolean {
    return Boolean(key.admin) || hasPrivilege(key.projects?.[projectKey], 'READ_CONF');
  }
}
