// Typed results of comparing desired and live state. Pure data: renderers and plan files are built on them.

export type Action = 'create' | 'update' | 'delete' | 'no-op';

/**
 * How a kind's managed fields are compared and written. Paths are RFC 6901 JSON pointers from the root of
 * the compared object; a `*` segment matches any key or index.
 */
export interface DiffPolicy {
  /** Arrays whose items are matched by key fields, e.g. `{ '/triggers': ['id'], '/permissions': ['group', 'user'] }`. */
  keyedLists?: Record<string, string[]>;
  /** Arrays compared as sets (order-free, no duplicates), e.g. tags. */
  sets?: string[];
  /**
   * Authoritative maps, lists and items: live entries the desired side lacks are removed (variables scopes, tags,
   * grants). Elsewhere maps are merged key by key and live keys the manifest does not declare are kept.
   */
  exact?: string[];
  /** Paths never compared nor written: server-managed (`/versionTag`, timestamps). */
  ignore?: string[];
  /** Paths whose values are secrets: masked in every output. */
  sensitive?: string[];
  /**
   * Subtrees whose keys are free names (variables, scenario params): an entry at one of these pointers, or at any
   * depth below one, whose key name looks like a secret (`dbPassword`, `API_KEY`, see `looksSecret`) is masked like
   * a sensitive path, on both sides of every change and inside values added or removed whole, e.g.
   * `['/standard/*', '/local/*']`. Catches secrets set in DSS that the manifest does not declare.
   */
  secretNamedKeys?: string[];
  /** Values DSS fills in when absent; absence on one side equals this value on the other. */
  defaults?: Record<string, unknown>;
  /**
   * Subtrees where DSS stores scalars as strings: there `"10"` equals `10` and `"true"` equals `true`, and a
   * write keeps the live representation when the values are equal this way.
   */
  stringified?: string[];
  /**
   * Keyed lists (pointers also listed in `keyedLists`) whose declared item order matters, e.g. scenario steps,
   * which run in list order. There the diff reports one `reorder` change on the list when the declared items
   * that exist live appear live in another relative order, and a write puts the declared items in the declared
   * order. Live items the manifest does not declare and that survive (the list is not exact) each stay right
   * after the declared item that preceded them live, or first when none did; an item sharing its key with a
   * declared item is moved after the last such declared item, so that items keep pairing up the same way.
   * Ignored on lists that are not keyed: plain lists already compare by index and sets are order-free.
   */
  ordered?: string[];
}

export type FieldChangeKind = 'add' | 'remove' | 'modify';

export interface FieldChange {
  /** JSON pointer of the changed value, from the root of the compared object. */
  pointer: string;
  /** Dotted, readable form of the pointer, e.g. `variables.standard.threshold` or `triggers[id=daily].delay`. */
  path: string;
  kind: FieldChangeKind;
  before?: unknown;
  after?: unknown;
  /** True when before/after are secrets; renderers print `(sensitive value)` instead. */
  sensitive: boolean;
  /**
   * Set on a change of item order in an `ordered` keyed list (kind `modify`, pointer and path of the list):
   * `before` and `after` are the key values of the declared items that exist live, in live and declared order,
   * e.g. `['build', 'check']` → `['check', 'build']`.
   */
  reorder?: boolean;
}

export interface ResourceChange {
  /** `Kind/name` or `Kind/project/name`, with `#block` for a separately planned block. */
  address: string;
  kind: string;
  /** Which DSS node the object lives on. */
  node: string;
  action: Action;
  changes: FieldChange[];
  /** Extra lines a kind wants shown, e.g. `bundle v11 → v12 (rollout on infra prod)`. */
  notes?: string[];
  /** Why an object was planned for deletion, or protected from it. */
  reason?: string;
}

export interface PlanSummary {
  add: number;
  change: number;
  destroy: number;
}

/** Sentinel that replaces sensitive values in anything that leaves the diff module. */
export const SENSITIVE_MASK = '(sensitive value)';

/** Version of the JSON output and of plan files; bumped on any incompatible change. */
export const FORMAT_VERSION = '1.0';

/** What `plan` produced: the input of every renderer (text, json, markdown) and of plan files. */
export interface PlanReport {
  formatVersion: string;
  /** Only resources whose action is not `no-op`, sorted by address. */
  resourceChanges: ResourceChange[];
  summary: PlanSummary;
  /** e.g. `--target limits this run to 3 objects`. */
  warnings: string[];
  /** The manifests' commit when they live in a git checkout. */
  commit?: string;
  /** Live changes made outside the manifests (the `drift` command); rendered like resourceChanges. */
  drift?: ResourceChange[];
}

export type ApplyStatus = 'applied' | 'failed' | 'skipped' | 'unchanged';

export interface ApplyResult {
  address: string;
  action: Action;
  status: ApplyStatus;
  /** For failed objects: what DSS or the tool said. For skipped ones: which dependency failed. */
  error?: string;
  notes?: string[];
}

export interface ApplyReport {
  formatVersion: string;
  results: ApplyResult[];
  /** Counted over applied objects only. */
  summary: PlanSummary;
  failed: number;
  skipped: number;
}
