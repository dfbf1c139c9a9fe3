// `dss-gitops completion`: scripts generated from the program, so every command and flag is completed; the bash
// script is run by bash itself.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { captureIo, runCliCaptured } from '../helpers/cli.js';

const CWD = mkdtempSync(path.join(tmpdir(), 'dss-gitops-completion-'));

async function script(shell: string): Promise<string> {
  const result = await runCliCaptured(['completion', shell], { env: {}, cwd: CWD });
  expect(result.code).toBe(0);
  expect(result.stderr).toBe('');
  return result.stdout;
}

/** What bash offers for the words typed so far (the last one being completed). */
function complete(bashScript: string, words: string[]): string[] {
  const file = path.join(CWD, 'completion.bash');
  writeFileSync(file, bashScript);
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const out = execFileSync('bash', ['-c', `source '${file}'; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _dss_gitops; printf '%s\\n' "\${COMPREPLY[@]}"`], {
    cwd: CWD,
    encoding: 'utf8',
  });
  return out.split('\n').filter((l) => l !== '');
}

function walk(command: Command, path: string[] = []): { path: string[]; command: Command }[] {
  return [{ path, command }, ...command.commands.flatMap((sub) => walk(sub, [...path, sub.name()]))];
}

describe('dss-gitops completion', () => {
  it('bash: completes commands, subcommands, flags and flag values', async () => {
    const bash = await script('bash');
    expect(complete(bash, ['dss-gitops', 'st'])).toEqual(['state']);
    expect(complete(bash, ['dss-gitops', 'state', ''])).toEqual(['list', 'rm']);
    expect(complete(bash, ['dss-gitops', 'plan', '--det'])).toEqual(['--detailed-exitcode']);
    expect(complete(bash, ['dss-gitops', 'state', 'list', '--output', ''])).toEqual(['text', 'json']);
    expect(complete(bash, ['dss-gitops', 'plan', '-f', 'm', '--output', 'm'])).toEqual(['markdown']);
  });

  it('lists every command and flag of the program, in every shell', async () => {
    const program = await buildProgram({ io: captureIo({}, CWD).io, setExitCode: () => undefined, debug: () => false });
    const commands = walk(program).slice(1);
    const scripts = { bash: await script('bash'), zsh: await script('zsh'), fish: await script('fish') };
    for (const { path: words, command } of commands) {
      const bashFlags = new RegExp(`^    "${words.join(' ')}"\\) echo "(.*)" ;;$`, 'm').exec(scripts.bash)?.[1]?.split(' ');
      expect(scripts.fish).toContain(`-a ${command.name()} -d`);
      for (const option of command.options) {
        if (option.long) expect(bashFlags, `${words.join(' ')} ${option.long}`).toContain(option.long);
        if (option.long) expect(scripts.fish).toContain(`-l ${option.long.slice(2)}`);
      }
    }
    const top = program.commands.map((c) => c.name()).sort();
    expect(top).toEqual(expect.arrayContaining(['completion', 'graph', 'state', 'plan']));
    expect(scripts.bash).toContain(`"") echo "${top.join(' ')}" ;;`);
    expect(scripts.zsh.startsWith('#compdef dss-gitops\n')).toBe(true);
    expect(scripts.zsh).toContain('bashcompinit');
    expect(scripts.fish).toContain("complete -c dss-gitops -n '__fish_seen_subcommand_from plan' -l output -x -a 'text json markdown'");
    // Byte-stable.
    expect(await script('fish')).toBe(scripts.fish);
  });

  it('refuses an unknown shell', async () => {
    const result = await runCliCaptured(['completion', 'powershell'], { env: {}, cwd: CWD });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("'powershell' is invalid for argument 'shell'. Allowed choices are bash, zsh, fish.");
    expect(result.stdout).toBe('');
  });
});
