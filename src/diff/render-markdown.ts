// The plan as a pull-request comment: a title, the summary, one collapsible block per resource with a ```diff
// body, cut to fit the comment size limit with the summary kept. Pure: no fs, no network, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

import type { Writable } from 'node:stream';
import { scrubSecrets } from '../base/secrets.js';
import { hasChanges } from './impact.js';
import { ACTION_SYMBOL, fieldLines, NO_CHANGES, planSummaryLine } from './render-format.js';
import type { PlanReport, ResourceChange } from './types.js';

/** GitHub refuses comments over 65,536 characters; this leaves room for what a bot adds around ours. */
export const DEFAULT_MAX_MARKDOWN = 60_000;

export interface MarkdownOptions {
  /** The output is always shorter than this. */
  maxLength?: number;
  title?: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A code fence longer than any run of backticks in the body, so values cannot close it early. */
export function fenced(body: string, lang: string): string {
  const longest = Math.max(0, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${body}\n${fence}`;
}

export function resourceBlock(rc: ResourceChange): string {
  const body = [
    // Sign first, so the ```diff highlighting colors the changed lines of a script too.
    ...rc.changes.flatMap((c) => fieldLines(c).map(({ sign, text, detail }) => `${sign}${detail ? '    ' : ' '}${text}`.trimEnd() || sign)),
    ...(rc.reason === undefined ? [] : [`# ${rc.reason}`]),
    ...(rc.notes ?? []).map((n) => `# ${n}`),
  ];
  const n = rc.changes.length;
  const count = n === 0 ? '' : n === 1 ? ' (1 change)' : ` (${n} changes)`;
  const where = rc.node === 'design' ? '' : ` on ${escapeHtml(rc.node)}`;
  const summary = `<code>${ACTION_SYMBOL[rc.action]} ${rc.action}</code> <code>${escapeHtml(rc.address)}</code>${where}${count}`;
  const content = body.length > 0 ? fenced(body.join('\n'), 'diff') : '_No field changes._';
  return `<details><summary>${summary}</summary>\n\n${content}\n\n</details>\n`;
}

function omittedNote(n: number): string {
  return `_${n} more ${n === 1 ? 'resource' : 'resources'} not shown: the comment size limit was reached. Run \`dss-gitops plan\` for the full plan._\n`;
}

export function renderPlanMarkdown(report: PlanReport, options: MarkdownOptions = {}): string {
  const maxLength = options.maxLength ?? DEFAULT_MAX_MARKDOWN;
  const head: string[] = [`### ${options.title ?? 'dss-gitops plan'}\n`];
  if (report.commit !== undefined) head.push(`Manifests at commit \`${report.commit}\`.\n`);
  const changed = hasChanges(report.summary);
  head.push(`**${changed ? planSummaryLine(report.summary) : NO_CHANGES}**\n`);
  for (const w of report.warnings) head.push(`> **Warning:** ${escapeHtml(w)}\n`);

  const blocks: string[] = [];
  if (report.drift && report.drift.length > 0) {
    blocks.push('#### Changes made outside the manifests\n', ...report.drift.map((rc) => scrubSecrets(resourceBlock(rc))));
    if (changed) blocks.push('#### Planned changes\n');
  }
  if (changed) blocks.push(...report.resourceChanges.map((rc) => scrubSecrets(resourceBlock(rc))));

  // Redacted before the size limit cuts anything: a cut secret is no longer recognized.
  let text = scrubSecrets(head.join('\n'));
  // Reserve room for the note about what was left out, whatever its count.
  const reserve = omittedNote(blocks.length).length + 2;
  let shown = 0;
  for (const block of blocks) {
    if (text.length + block.length + 1 + reserve >= maxLength) break;
    text += `\n${block}`;
    shown++;
  }
  const left = blocks.slice(shown).filter((b) => b.startsWith('<details>')).length;
  if (left > 0) text += `\n${omittedNote(left)}`;
  // Only a head longer than the limit (hundreds of warnings) gets here; the summary is near the top and stays.
  return text.length < maxLength ? text : `${text.slice(0, Math.max(0, maxLength - 2))}…`;
}

export function writePlanMarkdown(report: PlanReport, out: Writable, options: MarkdownOptions = {}): void {
  out.write(renderPlanMarkdown(report, options));
}
