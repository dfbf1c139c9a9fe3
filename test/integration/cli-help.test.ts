// Smoke test of the whole command line, in-process: every command the program registers answers --help, the
// version is package.json's, usage errors exit 1 on stderr, and no command takes an API key on the command line
// (keys come from the environment or the config's ${secret:..}, never from argv, where `ps` and shell history see
// them). The command list is read from the program, so a new command is covered without touching this file.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { captureIo, runCliCaptured } from '../helpers/cli.js';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
// An empty directory and environment: nothing here may read manifests, a config or a key.
const CWD = mkdtempSync(path.join(tmpdir(), 'dss-gitops-help-'));

async function run(argv: string[]) {
  return runCliCaptured(argv, { env: {}, cwd: CWD });
}

interface Registered {
  path: string[];
  command: Command;
}

/** Every command the program registers, nested ones included, with its path (`['plan']`, `['sim', 'x']`...). */
async function registeredCommands(): Promise<Registered[]> {
  const program = await buildProgram({ io: captureIo({}, CWD).io, setExitCode: () => undefined, debug: () => false });
  const walk = (command: Command, prefix: string[]): Registered[] =>
    command.commands.flatMap((sub) => [{ path: [...prefix, sub.name()], command: sub }, ...walk(sub, [...prefix, sub.name()])]);
  return walk(program, []);
}

/** Placeholders for a command's mandatory options: commander reports a missing one before an unknown one. */
function mandatoryArgs(command: Command): string[] {
  return command.options
    .filter((option) => option.mandatory && option.long !== undefined)
    .flatMap((option) => (option.required || option.optional ? [option.long!, 'placeholder'] : [option.long!]));
}

const REGISTERED = await registeredCommands();
const PATHS = REGISTERED.map((r) => r.path);

describe('dss-gitops command line', () => {
  it('registers the documented commands', () => {
    const top = PATHS.filter((p) => p.length === 1).map((p) => p[0]);
    expect(top).toEqual(
      expect.arrayContaining(['sim', 'demo', 'validate', 'plan', 'apply', 'show', 'drift', 'watch', 'promote', 'export']),
    );
    expect(new Set(top).size).toBe(top.length);
  });

  it.each(PATHS.map((p) => [p.join(' '), p] as const))('%s --help prints its usage on stdout and exits 0', async (_name, commandPath) => {
    const result = await run([...commandPath, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^Usage: dss-gitops ${commandPath.join(' ')} `, 'm'));
    expect(result.stdout).toContain('-h, --help');
    expect(result.stderr).toBe('');
  });

  it('help COMMAND prints the same usage as COMMAND --help', async () => {
    const viaHelp = await run(['help', 'plan']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe((await run(['plan', '--help'])).stdout);
  });

  it('--help lists every registered command', async () => {
    const result = await run(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: dss-gitops \[options\] \[command\]/m);
    for (const commandPath of PATHS.filter((p) => p.length === 1)) expect(result.stdout).toMatch(new RegExp(`^  ${commandPath[0]}\\b`, 'm'));
  });

  it.each([['--version'], ['-V']])('%s prints the version of package.json', async (flag) => {
    const result = await run([flag]);
    expect(result).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('an unknown command exits 1 and names it on stderr', async () => {
    const result = await run(['frobnicate']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
    expect(result.stdout).toBe('');
  });

  it('an unknown option exits 1 and names it on stderr, on the program and on a command', async () => {
    for (const argv of [['--frobnicate'], ['plan', '--frobnicate']]) {
      const result = await run(argv);
      expect(result.code, argv.join(' ')).toBe(1);
      expect(result.stderr).toContain("unknown option '--frobnicate'");
      expect(result.stdout).toBe('');
    }
  });

  it.each(REGISTERED.map((r) => [r.path.join(' '), r] as const))('%s refuses --api-key before doing anything', async (_name, { path: commandPath, command }) => {
    const result = await run([...commandPath, ...mandatoryArgs(command), '--api-key', 'not-a-real-key']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("unknown option '--api-key'");
    expect(`${result.stdout}${result.stderr}`).not.toContain('not-a-real-key');
  });

  it('no command declares an option that takes a key, token, password or secret value', () => {
    // Options naming the environment variable that holds a key (`--admin-key-env NAME`) are the sanctioned way.
    const offending = REGISTERED.flatMap(({ command }) =>
      command.options
        .filter((option) => option.required || option.optional)
        .map((option) => option.long ?? option.short ?? '')
        .filter((flag) => /key|token|password|secret/i.test(flag) && !flag.endsWith('-env'))
        .map((flag) => `${command.name()} ${flag}`),
    );
    expect(offending).toEqual([]);
  });
});

describe('usage errors and help text', () => {
  it('a typo prints the suggestion and one usage line, not the whole help', async () => {
    const option = await run(['plan', '--pruen']);
    expect(option.code).toBe(1);
    expect(option.stderr).toBe("error: unknown option '--pruen'\n(Did you mean --prune?)\nUsage: dss-gitops plan [options]  (--help for more)\n");
    const command = await run(['paln']);
    expect(command.stderr).toBe("error: unknown command 'paln'\n(Did you mean plan?)\nUsage: dss-gitops [options] [command]  (--help for more)\n");
  });

  it.each(PATHS.map((p) => [p.join(' '), p] as const))('%s --help shows no (default: [])', async (_name, commandPath) => {
    const result = await run([...commandPath, '--help']);
    expect(result.stdout).not.toContain('(default: [])');
  });

  it('keeps real defaults in the help', async () => {
    expect((await run(['plan', '--help'])).stdout).toMatch(/--output <format>\s+output format \(choices: "text", "json", "markdown",\s+default: "text"\)/);
  });
});
