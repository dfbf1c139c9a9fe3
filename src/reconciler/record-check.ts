// Ownership records are input: anyone who may write a project's metadata or a node's instance variables in DSS may
// have edited the one read back. This is the one boundary they cross. Their shape is checked here, and each store's
// scope rule is here too: a project's record names that project's own objects (`entryInScope`), a node's instance
// record names objects of that node's instance-scoped kinds (`instanceEntryInScope`), nothing else. An entry that
// breaks a rule is dropped with a warning naming the record and the entry; a record that cannot be read as one is
// ignored whole. Neither can widen what prune deletes, and a malformed record never stops a run.

import { instanceRecordAddress, PROJECT_SCOPE_KIND, recordAddress } from './scope.js';
import { isObject } from '../base/json.js';
import { scrubSecrets } from '../base/secrets.js';
import { PROJECT_SCOPED_KINDS, parseAddress } from '../manifest/address.js';
import type { InventoryEntry, OwnershipRecord } from './ownership.js';
import { MAX_SECRET_POINTERS } from './recorded-secrets.js';

/** More entries than any project holds: a record this large is not ours, and is not walked. */
export const MAX_INVENTORY_ENTRIES = 10_000;
const MAX_ADDRESS_LENGTH = 512;
const MAX_SOURCE_LENGTH = 1_000;
/** `specHash`: a SHA-256 in hex. */
const HASH = /^[0-9a-f]{64}$/;
const COMMIT = /^[0-9a-f]{7,64}$/;
/** A block of a unit (`#variables`, `#publication`). */
const BLOCK = /^[A-Za-z]+$/;
/** Ids of objects inside a project: no separators, spaces or control characters. */
const NAME = /^[^\s/#\p{Cc}]+$/u;
const CONTROL = /\p{Cc}/u;

/**
 * Whether a project's record may list `address`: the project itself (`Project/A`), one of its blocks
 * (`Project/A#variables`), or an object of a project-scoped kind inside it (`Scenario/A/X`, `Bundle/A/Y`,
 * `Bundle/A/Y#publication`). Another project, a folder, a deployer object or anything unparsable is out of scope.
 */
export function entryInScope(projectKey: string, address: string): boolean {
  if (address.length > MAX_ADDRESS_LENGTH) return false;
  const parsed = parseAddress(address);
  if (!parsed) return false;
  if (parsed.block !== undefined && !BLOCK.test(parsed.block)) return false;
  if (parsed.kind === PROJECT_SCOPE_KIND) return parsed.name === projectKey;
  return PROJECT_SCOPED_KINDS.has(parsed.kind) && parsed.project === projectKey && NAME.test(parsed.name);
}

/** Names of platform objects (group names, logins, connection names): no separator, no control, not blank. */
const INSTANCE_NAME = /^[^/#\p{Cc}]+$/u;

/** A block of a platform object (`#settings`, `#code-env`): letters, and hyphens between them. */
const INSTANCE_BLOCK = /^[A-Za-z]+(?:-[A-Za-z]+)*$/;

/**
 * Whether the instance record of `node` may list `address`: `Kind/name` of a kind in `kinds` (the instance-scoped
 * kinds of that node), with a valid name, optionally one of its blocks (`Plugin/googlesheets#settings`). A project's
 * object, another node's kind, a malformed block or anything unparsable is out of scope.
 */
export function instanceEntryInScope(kinds: ReadonlySet<string>, address: string): boolean {
  if (address.length > MAX_ADDRESS_LENGTH) return false;
  const hash = address.indexOf('#');
  const main = hash === -1 ? address : address.slice(0, hash);
  if (hash !== -1 && !INSTANCE_BLOCK.test(address.slice(hash + 1))) return false;
  const slash = main.indexOf('/');
  if (slash <= 0) return false;
  const kind = main.slice(0, slash);
  const name = main.slice(slash + 1);
  return kinds.has(kind) && INSTANCE_NAME.test(name) && name.trim() === name && name !== '';
}

/** What a record may hold: its name in warnings, and its scope rule with the words of a refusal. */
export interface RecordScopeRule {
  /** The record's address, e.g. `Project/CHURN#ownership`. */
  name: string;
  inScope(address: string): boolean;
  /** Why an out-of-scope entry is dropped. */
  outOfScope: string;
}

export interface CheckedRecord {
  /** The record with only the entries that passed; absent when none can be trusted (or there is none). */
  record?: OwnershipRecord;
  warnings: string[];
}

function kindOfValue(value: unknown): string {
  if (value === null) return 'null';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** A printable, bounded form of a value taken from DSS, for warnings; redacted whole, before the cut hides a secret. */
export function quoted(value: string): string {
  const text = scrubSecrets(value);
  return JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}

const MAX_POINTER_LENGTH = 512;

/**
 * An entry's `sensitive` list: where its object held a secret when applied. A forged list can only make plans mask
 * more, never show more, so it is taken as far as it can be read: JSON pointers of bounded length, MAX_SECRET_POINTERS
 * at most.
 */
function checkSecretPlaces(value: unknown): { pointers: string[]; problem?: string } {
  if (!Array.isArray(value)) return { pointers: [], problem: `has secret places that are ${kindOfValue(value)}, not a list; they are ignored` };
  const valid = value.filter(
    (p): p is string => typeof p === 'string' && p.startsWith('/') && p.length <= MAX_POINTER_LENGTH && !CONTROL.test(p),
  );
  const pointers = [...new Set(valid)].slice(0, MAX_SECRET_POINTERS);
  if (valid.length < value.length) return { pointers, problem: `lists ${value.length - valid.length} secret place(s) that are not JSON pointers; they are ignored` };
  if (pointers.length < new Set(valid).size) return { pointers, problem: `lists more than ${MAX_SECRET_POINTERS} secret places; the first ${MAX_SECRET_POINTERS} are kept` };
  return { pointers };
}

/**
 * Reads the `dss-gitops` entry of a project's metadata `custom.kv` (`entry`, absent when there is none) as the
 * record of project `projectKey`.
 */
export function checkRecord(projectKey: string, entry: unknown): CheckedRecord {
  return checkRecordWith(
    {
      name: recordAddress(projectKey),
      inScope: (address) => entryInScope(projectKey, address),
      outOfScope: `it is not an object of project ${projectKey}, and a project's record only lists that project's objects`,
    },
    entry,
  );
}

/**
 * Reads the instance variable `dss-gitops.ownership` of node `node` (`entry`, absent when there is none) as its
 * instance record: only objects of `kinds`, the instance-scoped kinds of that node.
 */
export function checkInstanceRecord(node: string, kinds: ReadonlySet<string>, entry: unknown): CheckedRecord {
  return checkRecordWith(
    {
      name: instanceRecordAddress(node),
      inScope: (address) => instanceEntryInScope(kinds, address),
      outOfScope: `it is not a platform object of node ${node} (an instance-scoped kind and a valid name), and an instance record only lists those`,
    },
    entry,
  );
}

/** Whether an entry read holds `hash` and nothing else. */
function holdsHashOnly(value: Record<string, unknown>): boolean {
  let keys = 0;
  for (const key in value) if (Object.hasOwn(value, key)) keys += 1;
  return keys === 1 && Object.hasOwn(value, 'hash');
}

/** Checks a record read from DSS against `rule`. */
export function checkRecordWith(rule: RecordScopeRule, entry: unknown): CheckedRecord {
  if (entry === undefined) return { warnings: [] };
  const name = rule.name;
  const ignored = (why: string): CheckedRecord => ({
    warnings: [`${name}: the ownership record read from DSS is ignored: ${why}; nothing it lists is pruned or counted as applied`],
  });
  if (!isObject(entry)) return ignored(`it is ${kindOfValue(entry)}, not an object`);
  if (entry.version !== undefined && entry.version !== 1) return ignored(`its version ${quoted(String(entry.version))} is not 1`);
  const source = entry.source;
  if (typeof source !== 'string' || source.trim() === '' || source.length > MAX_SOURCE_LENGTH || CONTROL.test(source)) {
    return ignored(typeof source === 'string' ? 'its source is not a valid source name' : `its source is ${kindOfValue(source)}, not a string`);
  }
  if (!isObject(entry.inventory)) return ignored(`its inventory is ${kindOfValue(entry.inventory)}, not an object`);
  const addresses = Object.keys(entry.inventory);
  if (addresses.length > MAX_INVENTORY_ENTRIES) return ignored(`its inventory lists ${addresses.length} entries (at most ${MAX_INVENTORY_ENTRIES})`);
  const warnings: string[] = [];
  const inventory: Record<string, InventoryEntry> = {};
  const drop = (address: string, why: string): void => void warnings.push(`${name}: entry ${quoted(address)} is ignored: ${why}`);
  for (const address of addresses.sort()) {
    const value = entry.inventory[address];
    if (!rule.inScope(address)) {
      drop(address, rule.outOfScope);
      continue;
    }
    if (!isObject(value)) {
      drop(address, `it is ${kindOfValue(value)}, not an object`);
      continue;
    }
    if (typeof value.hash !== 'string' || !HASH.test(value.hash)) {
      drop(address, 'its hash is not a spec hash');
      continue;
    }
    if (holdsHashOnly(value)) {
      // The entry as read is the entry as checked (most are): kept, not copied; nothing writes into entries read.
      inventory[address] = value as unknown as InventoryEntry;
      continue;
    }
    if (value.protected !== undefined && typeof value.protected !== 'boolean') {
      // A mark that cannot be read counts as protection: doubt never widens prune.
      warnings.push(`${name}: entry ${quoted(address)} has a protected mark that is not true or false; it is kept as protected`);
    }
    const checked: InventoryEntry =
      value.protected === false || value.protected === undefined ? { hash: value.hash } : { hash: value.hash, protected: true };
    if (value.pruneDelete === true) checked.pruneDelete = true;
    else if (value.pruneDelete !== undefined && value.pruneDelete !== false) {
      // An opt-in that cannot be read is no opt-in: doubt never widens prune.
      warnings.push(`${name}: entry ${quoted(address)} has a prune opt-in that is not true or false; prune does not delete it`);
    }
    if (value.sensitive !== undefined) {
      const places = checkSecretPlaces(value.sensitive);
      if (places.problem !== undefined) warnings.push(`${name}: entry ${quoted(address)} ${places.problem}`);
      if (places.pointers.length > 0) checked.sensitive = places.pointers;
    }
    inventory[address] = checked;
  }
  const record: OwnershipRecord = { version: 1, source, inventory };
  if (entry.commit !== undefined) {
    if (typeof entry.commit === 'string' && COMMIT.test(entry.commit)) record.commit = entry.commit;
    else warnings.push(`${name}: its commit is not a git commit id; it is ignored`);
  }
  return { record, warnings };
}
