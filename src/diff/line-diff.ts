// A line diff of two texts (LCS), so a changed script reads as the lines that changed rather than one long
// escaped string. Pure: no I/O, no clock.
/* eslint no-restricted-imports: ["error", { "patterns": ["fs", "fs/*", "node:fs", "node:fs/*", "node:net", "node:http", "node:https", "node:child_process", "node:dns", "node:timers", "undici"] }] */
/* eslint no-restricted-globals: ["error", "fetch", "Date", "process", "setTimeout", "setInterval"] */

export interface LineOp {
  op: ' ' | '-' | '+';
  line: string;
}

/** Above this many cells the table costs too much; the diff falls back to "all removed, all added". */
const MAX_CELLS = 4_000_000;

export function diffLines(before: string, after: string): LineOp[] {
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length * b.length > MAX_CELLS) {
    return [...a.map((line) => ({ op: '-' as const, line })), ...b.map((line) => ({ op: '+' as const, line }))];
  }
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j] ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1 : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }
  const ops: LineOp[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      ops.push({ op: ' ', line: a[i] as string });
      i++;
      j++;
    } else if ((lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0)) {
      ops.push({ op: '-', line: a[i++] as string });
    } else {
      ops.push({ op: '+', line: b[j++] as string });
    }
  }
  while (i < a.length) ops.push({ op: '-', line: a[i++] as string });
  while (j < b.length) ops.push({ op: '+', line: b[j++] as string });
  return ops;
}

/** Keeps `context` unchanged lines around each change and replaces longer unchanged runs with one `…` line. */
export function withContext(ops: readonly LineOp[], context = 2): Array<LineOp | 'gap'> {
  const near = ops.map((_, k) => ops.slice(Math.max(0, k - context), k + context + 1).some((o) => o.op !== ' '));
  const out: Array<LineOp | 'gap'> = [];
  ops.forEach((o, k) => {
    if (near[k]) out.push(o);
    else if (out.at(-1) !== 'gap') out.push('gap');
  });
  return out;
}
