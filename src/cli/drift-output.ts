// The drift report as text (a terminal, a CronJob's log), one versioned JSON document, or markdown (an issue
// opened by a scheduled CI job). Field lines read like the plan's: DSS's value → the manifest's value.

import type { Writable } from 'node:stream';
import { jsonResourceChange, type JsonResourceChange } from '../diff/render-json.js';
import { escapeHtml, resourceBlock } from '../diff/render-markdown.js';
import { DEFAULT_MAX_MARKDOWN } from '../diff/index.js';
import { paint } from '../diff/render-format.js';
import { scrubSecrets } from '../base/secrets.js';
import { resourceLines } from '../diff/render-text.js';
import type { ResourceChange } from '../diff/types.js';
import type { DriftEntry, DriftReport, DriftSummary } from '../reconciler/drift.js';

export function driftSummaryLine(s: DriftSummary): string {
  return `Drift: ${s.drifted} drifted, ${s.pending} pending, ${s.unmanaged} unmanaged.`;
}

const SECTIONS = [
  { key: 'drift', title: 'Drift', about: 'changed in DSS since the last apply; `watch --self-heal` or `apply` puts them back' },
  { key: 'pending', title: 'Pending', about: 'manifest changes not applied yet; `apply` carries them out' },
  { key: 'unmanaged', title: 'Unmanaged', about: 'in DSS under a managed project, declared in no manifest; never touched' },
] as const;

function markerNote(entry: DriftEntry): string | undefined {
  if (entry.changedBy === undefined && entry.changedAt === undefined) return undefined;
  const by = entry.changedBy === undefined ? '' : ` by ${entry.changedBy}`;
  const at = entry.changedAt === undefined ? '' : ` at ${entry.changedAt}`;
  return `last changed in DSS${by}${at}`;
}

/** An entry as the plan renderers know it: the reason and who changed it as comment lines. */
function asResourceChange(entry: DriftEntry): ResourceChange {
  const marker = markerNote(entry);
  return {
    address: entry.address,
    kind: entry.kind,
    node: entry.node,
    action: entry.action,
    changes: entry.changes,
    reason: entry.reason,
    ...(marker === undefined ? {} : { notes: [marker] }),
  };
}

export function formatDriftText(report: DriftReport, options: { color?: boolean } = {}): string {
  const color = options.color ?? false;
  const lines: string[] = [];
  if (report.commit !== undefined) lines.push(`Manifests at commit ${report.commit}.`, '');
  for (const w of report.warnings) lines.push(paint(`Warning: ${w}`, 'yellow', color), '');
  for (const section of SECTIONS) {
    const entries = report[section.key];
    if (entries.length === 0) continue;
    lines.push(paint(`${section.title} (${section.about}):`, 'bold', color), '');
    for (const entry of entries) {
      if (entry.class === 'unmanaged') lines.push(`? unmanaged ${entry.address}`, paint(`  # ${entry.reason}`, 'dim', color), '');
      else lines.push(...resourceLines(asResourceChange(entry), color), '');
    }
  }
  if (report.drift.length + report.pending.length + report.unmanaged.length === 0) {
    lines.push('No drift. DSS matches the manifests.');
  }
  lines.push(driftSummaryLine(report.summary));
  return `${lines.join('\n')}\n`;
}

export interface JsonDriftEntry extends JsonResourceChange {
  class: DriftEntry['class'];
  /** false: drift told without an ownership record (outside projects); never self-healed. */
  recorded?: false;
  changed_by?: string;
  changed_at?: string;
}

export interface JsonDriftReport {
  format_version: string;
  commit?: string;
  summary: { drifted: number; pending: number; unmanaged: number; in_sync: number };
  drift: JsonDriftEntry[];
  pending: JsonDriftEntry[];
  unmanaged: JsonDriftEntry[];
  in_sync: string[];
  warnings: string[];
}

function jsonEntry(entry: DriftEntry): JsonDriftEntry {
  const { notes: _notes, ...change } = jsonResourceChange({ ...asResourceChange(entry), notes: [] });
  return {
    ...change,
    class: entry.class,
    ...(entry.recorded === false ? { recorded: false } : {}),
    ...(entry.changedBy === undefined ? {} : { changed_by: entry.changedBy }),
    ...(entry.changedAt === undefined ? {} : { changed_at: entry.changedAt }),
  };
}

export function driftJson(report: DriftReport): JsonDriftReport {
  return {
    format_version: report.formatVersion,
    ...(report.commit === undefined ? {} : { commit: report.commit }),
    summary: {
      drifted: report.summary.drifted,
      pending: report.summary.pending,
      unmanaged: report.summary.unmanaged,
      in_sync: report.summary.inSync,
    },
    drift: report.drift.map(jsonEntry),
    pending: report.pending.map(jsonEntry),
    unmanaged: report.unmanaged.map(jsonEntry),
    in_sync: [...report.inSync],
    warnings: [...report.warnings],
  };
}

function omittedNote(n: number): string {
  return `_${n} more ${n === 1 ? 'object' : 'objects'} not shown: the size limit was reached. Run \`dss-gitops drift\` for the full report._\n`;
}

export function renderDriftMarkdown(report: DriftReport, maxLength = DEFAULT_MAX_MARKDOWN): string {
  const head: string[] = ['### dss-gitops drift\n'];
  if (report.commit !== undefined) head.push(`Manifests at commit \`${report.commit}\`.\n`);
  head.push(`**${driftSummaryLine(report.summary)}**\n`);
  for (const w of report.warnings) head.push(`> **Warning:** ${escapeHtml(w)}\n`);
  const blocks: string[] = [];
  for (const section of SECTIONS) {
    const entries = report[section.key];
    if (entries.length === 0) continue;
    blocks.push(`#### ${section.title}\n\n_${escapeHtml(section.about)}_\n`);
    for (const entry of entries) {
      if (entry.class === 'unmanaged') blocks.push(scrubSecrets(`- <code>${escapeHtml(entry.address)}</code>\n`));
      else blocks.push(scrubSecrets(resourceBlock(asResourceChange(entry))));
    }
  }
  if (blocks.length === 0) blocks.push('No drift. DSS matches the manifests.\n');
  // Redacted before the size limit cuts anything: a cut secret is no longer recognized.
  let text = scrubSecrets(head.join('\n'));
  const reserve = omittedNote(blocks.length).length + 2;
  let shown = 0;
  for (const block of blocks) {
    if (text.length + block.length + 1 + reserve >= maxLength) break;
    text += `\n${block}`;
    shown++;
  }
  const left = blocks.slice(shown).filter((b) => !b.startsWith('####')).length;
  if (left > 0) text += `\n${omittedNote(left)}`;
  return text.length < maxLength ? text : `${text.slice(0, Math.max(0, maxLength - 2))}…`;
}

export function writeDrift(report: DriftReport, format: 'text' | 'json' | 'markdown', out: Writable, color = false): void {
  if (format === 'json') out.write(`${JSON.stringify(driftJson(report), null, 2)}\n`);
  else if (format === 'markdown') out.write(renderDriftMarkdown(report));
  else out.write(formatDriftText(report, { color }));
}
