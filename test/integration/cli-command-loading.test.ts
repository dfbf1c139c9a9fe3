// Commands are loaded only when they run: `--version` and the program's help load no command, a command loads its
// own registrar alone (completion, which reads the whole program, loads all), and the program's help, built from
// the list in commands.ts, is the one the registrars themselves give.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Command, Help } from 'commander';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMANDS } from '../../src/cli/commands.js';
import { buildProgram, type CommandContext } from '../../src/cli/program.js';
import { captureIo, runCliCaptured } from '../helpers/cli.js';

const CWD = mkdtempSync(path.join(tmpdir(), 'dss-gitops-loading-'));
const context = (): CommandContext => ({ io: captureIo({}, CWD).io, setExitCode: () => undefined, debug: () => false });

/** The names of the commands whose registrar building the program for `argv` loads. */
async function loadedFor(argv: string[]): Promise<string[]> {
  const spies = COMMANDS.map((entry) => [entry.name, vi.spyOn(entry, 'load')] as const);
  await buildProgram(context(), argv);
  const loaded = spies.filter(([, spy]) => spy.mock.calls.length > 0).map(([name]) => name);
  vi.restoreAllMocks();
  return loaded;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('command loading', () => {
  it('--version, -V, --help, no command and an unknown command load no command', async () => {
    for (const argv of [['--version'], ['-V'], ['--help'], [], ['help'], ['frobnicate'], ['--debug', '--help']]) {
      expect(await loadedFor(argv), argv.join(' ')).toEqual([]);
    }
  });

  it('a command loads its own registrar only, wherever the program options stand', async () => {
    expect(await loadedFor(['plan', '-f', 'manifests', '--parallelism', '4'])).toEqual(['plan']);
    expect(await loadedFor(['--debug', 'validate', '-f', 'x'])).toEqual(['validate']);
    expect(await loadedFor(['help', 'apply'])).toEqual(['apply']);
    expect(await loadedFor(['state', 'list', '--help'])).toEqual(['state']);
  });

  it('completion, which lists every command and flag, loads every registrar', async () => {
    expect(await loadedFor(['completion', 'bash'])).toEqual(COMMANDS.map((entry) => entry.name));
  });

  it("the list's term and description of each command are its registrar's", async () => {
    const help = new Help();
    for (const entry of COMMANDS) {
      const program = new Command('dss-gitops');
      (await entry.load())(program, context());
      const command = program.commands.find((c) => c.name() === entry.name);
      expect(command, entry.name).toBeDefined();
      expect(help.subcommandTerm(command!), entry.name).toBe(entry.term);
      expect(help.subcommandDescription(command!), entry.name).toBe(entry.description);
    }
  });

  it("the program's help is the same as that of the program with every command loaded", async () => {
    const whole = await buildProgram(context());
    const result = await runCliCaptured(['--help'], { env: {}, cwd: CWD });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(whole.helpInformation());
    expect(result.stdout).toContain('  apply [options] [planfile]');
  });
});
