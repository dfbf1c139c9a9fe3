// Where a command writes, and what it knows of its surroundings. Commands never touch `process` directly, so
// tests run them in-process and capture their output.

import type { Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether standard input is a terminal (interactive confirmation). */
  stdinIsTTY: boolean;
  /** Reads one line from standard input, for confirmations. */
  readLine?: (prompt: string) => Promise<string>;
  /** `--no-color` was given. */
  noColor?: boolean;
}

/**
 * Whether output to `stream` is colored: only on a terminal, and never with `--no-color`, a non-empty NO_COLOR
 * (no-color.org) or TERM=dumb.
 */
export function useColor(io: CliIo, stream: Writable & { isTTY?: boolean }): boolean {
  if (!stream.isTTY || io.noColor) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return io.env.TERM !== 'dumb';
}

export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    stdinIsTTY: Boolean(process.stdin.isTTY),
  };
}

export function write(stream: Writable, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}
