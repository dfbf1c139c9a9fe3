// The per-object report of an apply, as text, JSON and markdown. The last text line is the byte-stable summary.
// Pure: no fs, no network, no clock. Errors and notes may quote DSS (an error body, a health message behind a
// rollback) and DSS may echo a value sent to it, so every renderer scrubs the run's secrets from them.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

import type { Writable } from 'node:stream';
import { escapeHtml } from './render-markdown.js';
import { scrubSecrets } from '../base/secrets.js';
import { applyResultSummaryLine, paint, type Color } from './render-format.js';
import type { ApplyReport, ApplyResult } from './types.js';

const STATUS_COLOR: Record<ApplyResult['status'], Color | undefined> = {
  applied: 'green',
  failed: 'red',
  skipped: 'yellow',
  unchanged: undefined,
};

/** What happened to one object, in one line: `Project/CHURN: create applied`. */
export function applyResultLine(r: ApplyResult): string {
  const head = `${r.address}: ${r.action} ${r.status}`;
  if (r.status === 'failed') return `${head}: ${r.error ?? 'unknown error'}`;
  if (r.status === 'skipped' && r.error !== undefined) return `${r.address}: ${r.action} ${skipReason(r.error)}`;
  return head;
}

/** A bare address names the dependency that failed; a sentence is shown as it is, without repeating "skipped". */
function skipReason(error: string): string {
  if (!/\s/.test(error)) return `skipped because ${error} failed`;
  return /^skipped\b/i.test(error) ? error : `skipped: ${error}`;
}

/** Unchanged objects are left out: the report lists what was written or not written. */
function listed(report: ApplyReport): ApplyResult[] {
  return report.results.filter((r) => r.status !== 'unchanged').map(scrubbed);
}

/** The result with the run's secrets removed from the texts that come from DSS. */
function scrubbed(r: ApplyResult): ApplyResult {
  return {
    ...r,
    ...(r.error !== undefined ? { error: scrubSecrets(r.error) } : {}),
    ...(r.notes ? { notes: r.notes.map(scrubSecrets) } : {}),
  };
}

export function formatApplyText(report: ApplyReport, options: { color?: boolean } = {}): string {
  const color = options.color ?? false;
  const lines: string[] = [];
  for (const r of listed(report)) {
    lines.push(paint(applyResultLine(r), STATUS_COLOR[r.status], color));
    for (const note of r.notes ?? []) lines.push(paint(`  # ${note}`, 'dim', color));
  }
  if (lines.length > 0) lines.push('');
  lines.push(applyResultSummaryLine(report.summary, report.failed, report.skipped));
  return `${lines.join('\n')}\n`;
}

export function renderApplyText(report: ApplyReport, out: Writable, options: { color?: boolean } = {}): void {
  out.write(formatApplyText(report, options));
}

/** Exactly one JSON document, with the same field naming as the plan document. */
export function renderApplyJson(report: ApplyReport): string {
  const doc = {
    format_version: report.formatVersion,
    results: report.results.map(scrubbed),
    summary: { ...report.summary },
    failed: report.failed,
    skipped: report.skipped,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

function cell(text: string): string {
  return escapeHtml(text).replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export function renderApplyMarkdown(report: ApplyReport, options: { title?: string } = {}): string {
  const lines = [`### ${options.title ?? 'dss-gitops apply'}`, ''];
  lines.push(`**${applyResultSummaryLine(report.summary, report.failed, report.skipped)}**`, '');
  const rows = listed(report);
  if (rows.length > 0) {
    lines.push('| Object | Action | Status | Detail |', '| --- | --- | --- | --- |');
    for (const r of rows) {
      const reason = r.status === 'skipped' && r.error !== undefined ? skipReason(r.error) : r.error;
      const detail = [reason, ...(r.notes ?? [])].filter((x): x is string => x !== undefined).join('; ');
      lines.push(`| \`${cell(r.address)}\` | ${r.action} | ${r.status} | ${cell(detail)} |`);
    }
    lines.push('');
  }
  return lines.join('\n');
}
