// The CLI in-process with captured streams: one place for the stream plumbing the integration tests share.

import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import type { ResourceKind } from '../../src/resources/types.js';
import { STATE_KEY_FILE_ENV } from '../../src/simulator/persistence.js';
import { TEST_STATE_KEY_FILE } from './simulator.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliRunOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stdin is a terminal; false unless a test exercises the interactive prompt. */
  tty?: boolean;
  /** The line typed at a confirmation prompt. */
  answer?: string;
  /** The kinds of the run instead of the registry's (a test's own kind beside them). */
  kinds?: readonly ResourceKind[];
}

export interface CapturedIo {
  io: CliIo;
  stdout: () => string;
  stderr: () => string;
}

/**
 * An io whose output is read back as text, for commands that keep running (sim, watch) or are awaited elsewhere.
 * `--sim` seals its state with the tests' key unless `env` names one: tests never write the user's own key file.
 */
export function captureIo(env: NodeJS.ProcessEnv, cwd: string): CapturedIo {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const withKey = { [STATE_KEY_FILE_ENV]: TEST_STATE_KEY_FILE, ...env };
  return { io: { stdout, stderr, env: withKey, cwd, stdinIsTTY: false }, stdout: () => out, stderr: () => err };
}

/** Runs one CLI command to its end and returns its exit code and everything it wrote. */
export async function runCliCaptured(argv: string[], options: CliRunOptions): Promise<CliResult> {
  const captured = captureIo(options.env, options.cwd);
  const { answer } = options;
  const code = await runCli(
    argv,
    {
      ...captured.io,
      stdinIsTTY: options.tty ?? false,
      ...(answer !== undefined ? { readLine: () => Promise.resolve(answer) } : {}),
    },
    options.kinds ? { kinds: options.kinds } : {},
  );
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}
