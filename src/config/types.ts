// The resolved configuration of a run: `dss-gitops.yaml` with environment overrides applied.

export interface NodeConfig {
  url: string;
  /** Secret: never printed, never logged. */
  apiKey: string;
  /** Default `/public/api`. */
  basePath?: string;
  /** PEM file of a private certificate authority. */
  caFile?: string;
  /** Disables TLS verification. Only by explicit choice; the client warns. */
  insecure?: boolean;
}

export interface RetryConfig {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound on the time spent retrying one request. */
  maxElapsedMs: number;
}

export interface DefaultsConfig {
  parallelism: number;
  requestTimeoutMs: number;
  futureTimeoutMs: number;
  retries: RetryConfig;
  /**
   * The login a project is created with when its manifest declares no `spec.owner`. DSS needs an owner for a
   * project created with a global API key, which belongs to no user.
   */
  projectOwner?: string;
}

export interface IgnoreDifference {
  kind: string;
  /** A glob on the object name (`*` matches any run of characters); absent means every object of the kind. */
  name?: string;
  /** RFC 6901 pointers into the spec, e.g. `/variables/standard/lastRefresh`. */
  jsonPointers: string[];
}

export interface GitopsConfig {
  /** The file it was read from, when there was one. */
  file?: string;
  nodes: { design: NodeConfig; deployer?: NodeConfig };
  defaults: DefaultsConfig;
  prune: boolean;
  ignoreDifferences: IgnoreDifference[];
  /** Addresses of objects that exist in DSS but are not declared in the manifests, e.g. `Infra/shared-prod`. */
  external: string[];
  /** Names this manifests tree in ownership records, in place of the git remote and path it is found at. */
  source?: string;
  /** What manifests may interpolate. */
  interpolation?: {
    /** The only environment variables `${env:..}` may read in manifests: names, or patterns with `*`. */
    envAllow?: string[];
  };
}

export const DEFAULTS: DefaultsConfig = {
  parallelism: 8,
  requestTimeoutMs: 30_000,
  futureTimeoutMs: 600_000,
  retries: { attempts: 5, baseDelayMs: 200, maxDelayMs: 10_000, maxElapsedMs: 60_000 },
};
