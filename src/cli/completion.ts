// `dss-gitops completion bash|zsh|fish`: prints a shell completion script for the commands and flags of this
// version, read off the commander program itself so that it never falls out of step with it.

import { byText } from '../base/order.js';
import { Argument, Command, type Option } from 'commander';
import { completionScript, SHELLS, type CompletionCommand, type CompletionOption, type Shell } from './completion-scripts.js';
import { EXIT_OK } from './exit-codes.js';
import type { CommandRegistrar } from './program.js';

function optionOf(option: Option): CompletionOption {
  return {
    ...(option.long !== undefined ? { long: option.long } : {}),
    ...(option.short !== undefined ? { short: option.short } : {}),
    description: option.description,
    takesValue: option.required || option.optional,
    choices: option.argChoices ?? [],
  };
}

const HELP: CompletionOption = { long: '--help', short: '-h', description: 'display help for command', takesValue: false, choices: [] };

/** The tree of `command`'s subcommands and flags, sorted by name; `--help` everywhere, as commander adds it. */
export function describeCommands(command: Command, path: string[] = []): CompletionCommand {
  const options = [...command.options.filter((o) => !o.hidden).map(optionOf), HELP].sort(byText((o) => o.long ?? ''));
  const subcommands = command.commands
    .map((sub) => describeCommands(sub, [...path, sub.name()]))
    .sort(byText((c) => c.path.at(-1) ?? ''));
  return { path, description: command.description(), options, subcommands };
}

export const registerCompletion: CommandRegistrar = (program, ctx) => {
  const command = new Command('completion')
    .description('print a shell completion script: source <(dss-gitops completion bash), or | source in fish')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .action((shell: Shell) => {
      ctx.io.stdout.write(completionScript(shell, describeCommands(program)));
      ctx.setExitCode(EXIT_OK);
    });
  program.addCommand(command);
};
