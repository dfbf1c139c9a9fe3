// Progress on a terminal (stderr only, so stdout stays byte for byte what a pipe gets): the reads of a plan as one
// line rewritten in place and erased when they end, and, during apply, a line per object written. Nothing when
// stderr is not a terminal; no line rewritten under TERM=dumb, which cannot go back to the start of a line.

import type { NodeState } from '../reconciler/graph.js';
import type { CliIo } from './io.js';

/** Rewrites at most this often: a fast plan would otherwise spend its time on the terminal. */
const READ_REFRESH_MS = 100;

export function readProgress(io: CliIo, now: () => number = Date.now): ((done: number, total: number) => void) | undefined {
  if (!io.stderr.isTTY || io.env.TERM === 'dumb') return undefined;
  let shown = '';
  let last = 0;
  return (done, total) => {
    const finished = done >= total;
    if (!finished && shown !== '' && now() - last < READ_REFRESH_MS) return;
    last = now();
    const text = finished ? '' : `Reading DSS: ${done} of ${total} objects`;
    // Spaces rather than an erase escape: the line is cleared the same way with or without NO_COLOR.
    io.stderr.write(`\r${text}${' '.repeat(Math.max(0, shown.length - text.length))}${finished ? '\r' : ''}`);
    shown = text;
  };
}

/** A line per object written (or failed, or skipped after a failure); the objects only checked say nothing. */
export function writeProgress(io: CliIo): ((address: string, state: NodeState | 'read') => void) | undefined {
  if (!io.stderr.isTTY) return undefined;
  return (address, state) => {
    if (state === 'done' || state === 'failed' || state === 'skipped') io.stderr.write(`${address}: ${state}\n`);
  };
}
