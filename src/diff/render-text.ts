// The plan as people read it in a terminal. Writes to the stream it is given; the string form is for tests and
// for callers that compose output. Pure apart from writing to that stream: no fs, no network, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

import type { Writable } from 'node:stream';
import { hasChanges } from './impact.js';
import {
  ACTION_COLOR,
  ACTION_SYMBOL,
  fieldLines,
  KIND_COLOR,
  NO_CHANGES,
  paint,
  planSummaryLine,
} from './render-format.js';
import type { PlanReport, ResourceChange } from './types.js';

export interface TextOptions {
  /** ANSI colors; only when asked (a terminal), never by default. */
  color?: boolean;
}

export function resourceLines(rc: ResourceChange, color: boolean): string[] {
  const where = rc.node === 'design' ? '' : ` (${rc.node})`;
  const header = `${ACTION_SYMBOL[rc.action]} ${rc.action} ${rc.address}${where}`;
  const lines = [paint(header, ACTION_COLOR[rc.action], color)];
  for (const change of rc.changes) {
    for (const { sign, text, detail } of fieldLines(change)) {
      const paintWith = sign === '+' ? 'green' : sign === '-' ? 'red' : sign === '~' ? KIND_COLOR[change.kind] : undefined;
      lines.push(`  ${paint(`${detail ? '    ' : ''}${sign}${text === '' ? '' : ` ${text}`}`, paintWith, color)}`);
    }
  }
  if (rc.reason !== undefined) lines.push(paint(`  # ${rc.reason}`, 'dim', color));
  for (const note of rc.notes ?? []) lines.push(paint(`  # ${note}`, 'dim', color));
  return lines;
}

/** The text rendering: warnings, one block per resource, and the byte-stable summary as the last line. */
export function formatPlanText(report: PlanReport, options: TextOptions = {}): string {
  const color = options.color ?? false;
  const lines: string[] = [];
  for (const w of report.warnings) lines.push(paint(`Warning: ${w}`, 'yellow', color), '');
  if (report.drift && report.drift.length > 0) {
    lines.push(paint('Changes made outside the manifests:', 'bold', color), '');
    for (const rc of report.drift) lines.push(...resourceLines(rc, color), '');
  }
  if (!hasChanges(report.summary)) {
    lines.push(NO_CHANGES);
    return `${lines.join('\n')}\n`;
  }
  lines.push(paint('dss-gitops will perform the following actions:', 'bold', color), '');
  for (const rc of report.resourceChanges) lines.push(...resourceLines(rc, color), '');
  lines.push(planSummaryLine(report.summary));
  return `${lines.join('\n')}\n`;
}

export function renderPlanText(report: PlanReport, out: Writable, options: TextOptions = {}): void {
  out.write(formatPlanText(report, options));
}
