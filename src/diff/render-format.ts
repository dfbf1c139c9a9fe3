// Formatting shared by the text and markdown renderers: value display, field lines, summary sentences, ANSI
// colors (no dependency). Pure: no I/O, no clock; values are redacted with the run's secrets before they are cut.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

import { scrubSecrets, scrubValue } from '../base/secrets.js';
import { diffLines, withContext } from './line-diff.js';
import { SENSITIVE_MASK, type Action, type FieldChange, type PlanSummary } from './types.js';

/** Values longer than this are cut in text and markdown; the JSON output carries them whole. */
export const MAX_VALUE_CHARS = 200;

export const NO_CHANGES = 'No changes. DSS matches the manifests.';

export function planSummaryLine(s: PlanSummary): string {
  return `Plan: ${s.add} to add, ${s.change} to change, ${s.destroy} to destroy.`;
}

/** The last line of an apply where everything planned was written. */
export function applySummaryLine(s: PlanSummary): string {
  return `Apply complete! Resources: ${s.add} added, ${s.change} changed, ${s.destroy} destroyed.`;
}

/** The last line of an apply where anything failed or was skipped: never "complete", so scripts can tell. */
export function applyFailureLine(s: PlanSummary, failed: number, skipped: number): string {
  return `Apply failed! Resources: ${s.add} added, ${s.change} changed, ${s.destroy} destroyed, ${failed} failed, ${skipped} skipped.`;
}

/** The summary line of an apply report: complete only when nothing failed or was skipped. */
export function applyResultSummaryLine(s: PlanSummary, failed: number, skipped: number): string {
  return failed > 0 || skipped > 0 ? applyFailureLine(s, failed, skipped) : applySummaryLine(s);
}

export const ACTION_SYMBOL: Record<Action, string> = { create: '+', update: '~', delete: '-', 'no-op': ' ' };
const KIND_SYMBOL: Record<FieldChange['kind'], string> = { add: '+', modify: '~', remove: '-' };

export function formatValue(value: unknown): string {
  if (value === SENSITIVE_MASK) return SENSITIVE_MASK;
  if (value === undefined) return '(none)';
  const text = JSON.stringify(value);
  if (text.length <= MAX_VALUE_CHARS) return text;
  return `${text.slice(0, MAX_VALUE_CHARS)}… (${text.length} chars)`;
}

function names(value: unknown): string {
  const text = Array.isArray(value) ? value.map(String).join(', ') : formatValue(value);
  return text.length <= MAX_VALUE_CHARS ? text : `${text.slice(0, MAX_VALUE_CHARS)}…`;
}

/** `build, check → check, build`: the item names of an order change, without list brackets or quotes. */
function orderText(change: FieldChange): string {
  return `${names(change.before)} → ${names(change.after)}`;
}

/**
 * The change with the run's secrets redacted from its values while they are whole. The renderers split values into
 * lines and cut them at MAX_VALUE_CHARS; after that, no scrubber of the output can recognize a secret any more.
 */
function redacted(change: FieldChange): FieldChange {
  const out: FieldChange = { ...change, path: scrubSecrets(change.path) };
  if ('before' in change) out.before = scrubValue(change.before);
  if ('after' in change) out.after = scrubValue(change.after);
  return out;
}

/**
 * `~ variables.standard.threshold: 0.7 → 0.8`, `+ tags: "gold"`, `- steps[id=old]: {...}`, and for a reorder
 * `~ params.steps order: build, check → check, build`.
 */
export function fieldLine(shown: FieldChange): string {
  const change = redacted(shown);
  const symbol = KIND_SYMBOL[change.kind];
  if (change.reorder === true) return `${symbol} ${change.path} order: ${change.sensitive ? SENSITIVE_MASK : orderText(change)}`;
  if (change.sensitive) return `${symbol} ${change.path}: ${SENSITIVE_MASK}`;
  if (change.kind === 'add') return `${symbol} ${change.path}: ${formatValue(change.after)}`;
  if (change.kind === 'remove') return `${symbol} ${change.path}: ${formatValue(change.before)}`;
  return `${symbol} ${change.path}: ${formatValue(change.before)} → ${formatValue(change.after)}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** A modification of multi-line text (a python script) is shown line by line. */
export function isTextChange(change: FieldChange): change is FieldChange & { before: string; after: string } {
  return (
    change.kind === 'modify' &&
    !change.sensitive &&
    typeof change.before === 'string' &&
    typeof change.after === 'string' &&
    (change.before.includes('\n') || change.after.includes('\n'))
  );
}

/** Above this many leaves an added or removed object stays on one (cut) line; the JSON output has it whole. */
const MAX_LEAF_LINES = 40;

/**
 * An object added or removed whole (a new trigger, a grant) as one line per leaf, `.params.hour: 2`, so that a
 * reviewer reads every field instead of a JSON line cut at 200 characters.
 */
function wholeObjectLeaves(change: FieldChange): Array<[string, unknown]> | undefined {
  if (change.sensitive || change.reorder === true || change.kind === 'modify') return undefined;
  const value = change.kind === 'add' ? change.after : change.before;
  if (value === null || typeof value !== 'object') return undefined;
  const leaves: Array<[string, unknown]> = [];
  const walk = (node: unknown, at: string): void => {
    const scalarList = Array.isArray(node) && node.every((v) => v === null || typeof v !== 'object');
    if (node === null || typeof node !== 'object' || scalarList) {
      leaves.push([at, node]);
      return;
    }
    const entries = Array.isArray(node) ? node.map((v, i) => [`[${i}]`, v] as const) : Object.entries(node).map(([k, v]) => [`.${k}`, v] as const);
    if (entries.length === 0) leaves.push([at, node]);
    for (const [key, child] of entries) walk(child, `${at}${key}`);
  };
  walk(value, '');
  // `triggers[id=morning]` already names the item: its `.id` line would say it twice.
  const itemKey = /\[([^=\]]+)=[^\]]*\]$/.exec(change.path)?.[1];
  const shown = leaves.filter(([leaf]) => itemKey === undefined || leaf !== `.${itemKey}`);
  return shown.length > 0 && shown.length <= MAX_LEAF_LINES ? shown : undefined;
}

/**
 * A permission grant added or removed whole (`permissions[group=analysts]`, every flag a boolean) as one line
 * naming the flags it grants: a flag not named is false, so thirteen `flag: false` lines say nothing more.
 */
function grantLine(change: FieldChange): string | undefined {
  if (change.sensitive || change.kind === 'modify' || !/\[(group|user)=[^\]]*\]$/.test(change.path)) return undefined;
  const value = change.kind === 'add' ? change.after : change.before;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const flags = Object.entries(value).filter(([key]) => key !== 'group' && key !== 'user');
  if (flags.length === 0 || !flags.every(([, v]) => typeof v === 'boolean')) return undefined;
  const granted = flags.filter(([, v]) => v === true).map(([key]) => key);
  return `${change.path}: ${granted.length > 0 ? granted.join(', ') : '(no permission)'}`;
}

/**
 * The lines of one field change: a single line, or for multi-line text a header and the changed lines with a
 * little context, each as [sign, text] so that each output places the sign where its readers expect it.
 */
export function fieldLines(shown: FieldChange): Array<{ sign: ' ' | '-' | '+' | '~'; text: string; detail: boolean }> {
  const change = redacted(shown);
  const grant = grantLine(change);
  if (grant !== undefined) return [{ sign: KIND_SYMBOL[change.kind] as '+' | '-', text: grant, detail: false }];
  const whole = wholeObjectLeaves(change);
  if (whole !== undefined) {
    const sign = KIND_SYMBOL[change.kind] as '+' | '-';
    return whole.map(([leaf, value]) => ({ sign, text: `${change.path}${leaf}: ${formatValue(value)}`, detail: false }));
  }
  if (!isTextChange(change)) return [{ sign: KIND_SYMBOL[change.kind] as '~', text: fieldLine(change).slice(2), detail: false }];
  const ops = withContext(diffLines(change.before, change.after));
  const added = ops.filter((o) => o !== 'gap' && o.op === '+').length;
  const removed = ops.filter((o) => o !== 'gap' && o.op === '-').length;
  return [
    { sign: '~', text: `${change.path}: (${count(removed, 'line')} removed, ${count(added, 'line')} added)`, detail: false },
    ...ops.map((o) => (o === 'gap' ? { sign: ' ' as const, text: '…', detail: true } : { sign: o.op, text: o.line, detail: true })),
  ];
}

export type Color = 'green' | 'yellow' | 'red' | 'bold' | 'dim';
const ANSI: Record<Color, string> = { green: '32', yellow: '33', red: '31', bold: '1', dim: '2' };

export function paint(text: string, color: Color | undefined, enabled: boolean): string {
  if (!enabled || color === undefined) return text;
  return `\u001b[${ANSI[color]}m${text}\u001b[0m`;
}

export const ACTION_COLOR: Record<Action, Color | undefined> = {
  create: 'green',
  update: 'yellow',
  delete: 'red',
  'no-op': undefined,
};

export const KIND_COLOR: Record<FieldChange['kind'], Color> = { add: 'green', modify: 'yellow', remove: 'red' };
