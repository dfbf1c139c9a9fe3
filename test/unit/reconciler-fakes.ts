// In-memory DSS client and kinds for the reconciler's unit tests: a store of JSON objects by path, request
// counts, and failures on chosen paths.

import type { FieldChange } from '../../src/diff/types.js';
import type { ClientStats, DssClient, HttpMethod } from '../../src/dss/types.js';
import type { ManifestDocument } from '../../src/manifest/types.js';
import { kindRegistry } from '../../src/resources/registry.js';
import type { KindContext, LiveState, ResourceKind, ResourceUnit } from '../../src/resources/types.js';
import { canonicalJson } from '../../src/reconciler/hash.js';
import type { RunSetup } from '../../src/reconciler/reconcile.js';
import type { CompareFn, PlanOptions } from '../../src/reconciler/types.js';

export class FakeClient implements DssClient {
  readonly nodeName = 'design';
  readonly url = 'http://fake';
  readonly dssVersion = undefined;
  readonly store = new Map<string, unknown>();
  readonly failOn = new Set<string>();
  readonly log: string[] = [];
  private counts = { reads: 0, writes: 0 };

  private check(method: HttpMethod, path: string): void {
    this.log.push(`${method} ${path}`);
    if (method === 'GET') this.counts.reads += 1;
    else this.counts.writes += 1;
    if (this.failOn.has(path)) throw new Error(`HTTP 500 on ${method} ${path}`);
  }
  request<T>(): Promise<T> {
    return Promise.reject(new Error('not used'));
  }
  async getJson<T>(path: string): Promise<T> {
    const value = await this.getOrAbsent<T>(path);
    if (value === undefined) throw new Error(`404 ${path}`);
    return value;
  }
  getOrAbsent<T>(path: string): Promise<T | undefined> {
    this.check('GET', path);
    if (path === '/projects/') {
      const keys = [...this.store.keys()].filter((p) => /^\/projects\/[^/]+$/.test(p)).map((p) => p.split('/')[2]);
      return Promise.resolve(keys.map((projectKey) => ({ projectKey })) as T);
    }
    const value = this.store.get(path);
    return Promise.resolve(value === undefined ? undefined : (structuredClone(value) as T));
  }
  putJson<T>(path: string, body: unknown): Promise<T> {
    this.check('PUT', path);
    this.store.set(path, structuredClone(body));
    return Promise.resolve(undefined as T);
  }
  postJson<T>(path: string, body?: unknown): Promise<T> {
    return this.putJson(path, body);
  }
  deleteJson<T>(path: string): Promise<T> {
    this.check('DELETE', path);
    for (const key of [...this.store.keys()]) if (key === path || key.startsWith(`${path}/`)) this.store.delete(key);
    return Promise.resolve(undefined as T);
  }
  getBytes(): Promise<Uint8Array> {
    return Promise.reject(new Error('not used'));
  }
  waitForFuture<T>(): Promise<T> {
    return Promise.reject(new Error('not used'));
  }
  stats(): ClientStats {
    return { ...this.counts, byMethod: { GET: 0, POST: 0, PUT: 0, DELETE: 0 }, retries: 0, errors: 0 };
  }
  resetStats(): void {
    this.counts = { reads: 0, writes: 0 };
    this.log.length = 0;
  }
  warmConnections(): void {
    // No connections to open.
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

export function doc(kind: string, name: string, spec: Record<string, unknown>, extra: Partial<ManifestDocument['metadata']> = {}, sensitivePaths: string[] = []): ManifestDocument {
  const source = { file: 'm.yaml', line: 1, column: 1 };
  return { apiVersion: 'dss-gitops/v1', kind, metadata: { name, ...extra }, spec, source, positionOf: () => source, sensitivePaths };
}

/** The whole stored object, minus what the fake server adds, compared on the declared keys. */
export const compareShallow: CompareFn = (desired, live, policy, options) => {
  const changes: FieldChange[] = [];
  for (const [key, after] of Object.entries(desired)) {
    const pointer = `/${key}`;
    if (options.ignorePointers.includes(pointer)) continue;
    const before = live?.[key];
    if (live !== undefined && canonicalJson(before) === canonicalJson(after)) continue;
    const sensitive = options.sensitivePointers.includes(pointer) || (policy.sensitive ?? []).includes(pointer);
    changes.push({ pointer, path: key, kind: before === undefined ? 'add' : 'modify', before, after, sensitive });
  }
  return changes;
};

const pathOf = (unit: ResourceUnit): string =>
  unit.kind === 'Project' ? `/projects/${unit.doc.metadata.name}` : `/projects/${unit.doc.metadata.project}/scenarios/${unit.doc.metadata.name}`;

function fakeKind(name: 'Project' | 'Scenario'): ResourceKind {
  return {
    kind: name,
    node: 'design',
    schema: {},
    // As the real kind: a scenario is addressed inside its project.
    ...(name === 'Scenario' ? { projectScoped: true } : {}),
    units: (d) => [
      {
        address: name === 'Project' ? `Project/${d.metadata.name}` : `Scenario/${d.metadata.project}/${d.metadata.name}`,
        kind: name,
        doc: d,
        desired: d.spec,
        policy: { sensitive: [] },
        dependsOn: name === 'Scenario' ? [`Project/${d.metadata.project}`] : ((d.spec.after as string[] | undefined) ?? []),
      },
    ],
    async read(ctx: KindContext, unit): Promise<LiveState | undefined> {
      const raw = await ctx.client.getOrAbsent<Record<string, unknown>>(pathOf(unit));
      return raw === undefined ? undefined : { raw, view: raw };
    },
    async create(ctx, unit) {
      await ctx.client.putJson(pathOf(unit), { ...unit.desired, serverAdded: 'kept' });
      if (name === 'Project') await ctx.client.putJson(`${pathOf(unit)}/metadata`, { label: unit.doc.metadata.name, tags: [], custom: { kv: {} } });
    },
    async update(ctx, unit, live) {
      await ctx.client.putJson(pathOf(unit), { ...(live.raw as object), ...unit.desired });
    },
    async delete(ctx, address) {
      const parts = address.split('/');
      await ctx.client.deleteJson(parts[0] === 'Project' ? `/projects/${parts[1]}` : `/projects/${parts[1]}/scenarios/${parts[2]}`);
    },
  };
}

export const fakeRegistry = kindRegistry([fakeKind('Project'), fakeKind('Scenario')]);

export function setupFor(client: FakeClient, options: Partial<PlanOptions> = {}, parallelism = 4): RunSetup {
  const noop = (): void => undefined;
  return {
    registry: fakeRegistry,
    clients: { design: client, deployer: client },
    log: { debug: noop, info: noop, warn: noop, error: noop },
    parallelism,
    compare: compareShallow,
    source: 'test-source',
    options: { prune: false, allowEmpty: false, targets: [], ignoreDifferences: [], ...options },
  };
}
