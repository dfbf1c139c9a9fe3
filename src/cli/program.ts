// Builds the command line: one commander program, one file per command (listed in commands.ts), errors mapped
// to exit codes in one place.

import { readFileSync } from 'node:fs';
import { Command, CommanderError, Help, type Option } from 'commander';
import { DssGitopsError } from '../errors.js';
import { CREDENTIAL_ENV } from '../config/env-policy.js';
import { SecretRegistry, environmentSecretValues, withRunSecrets } from '../base/secrets.js';
import { COMMANDS, type CommandEntry } from './commands.js';
import { EXIT_ERROR, EXIT_OK } from './exit-codes.js';
import type { CliIo } from './io.js';
import type { ResourceKind } from '../resources/types.js';

export interface CommandContext {
  io: CliIo;
  /** Sets the exit code of the run; the last call wins. */
  setExitCode(code: number): void;
  /** Whether `--debug` was given: stack traces are printed. */
  debug(): boolean;
  /** The kinds of the run, when the caller gives its own (see `CliOptions`); the registry's otherwise. */
  kinds?: readonly ResourceKind[];
}

/** What an in-process caller may give `runCli` besides the command line. */
export interface CliOptions {
  /**
   * The kinds manifests may hold and the run reconciles, instead of the registry's `KINDS` (a test's own kind
   * beside them). Loaded lazily by the commands that need kinds, like the registry.
   */
  kinds?: readonly ResourceKind[];
}

export type CommandRegistrar = (program: Command, ctx: CommandContext) => void;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * The program. With `argv`, only the registrar of the command that `argv` runs is loaded (every registrar for a
 * command that reads the whole program, none for `--version` or the program's help); the other commands are
 * placeholders that the help lists as their registrars would. Without `argv`, every registrar is loaded.
 */
export async function buildProgram(ctx: CommandContext, argv?: readonly string[]): Promise<Command> {
  const wanted = argv === undefined ? undefined : commandRun(argv);
  const everything = argv === undefined || wanted?.wholeProgram === true;
  const placeholders = new Map<Command, string>();
  const program = new Command('dss-gitops')
    .description('GitOps for Dataiku DSS: plan, apply, detect drift and promote bundles from manifests in Git')
    .version(packageVersion(), '-V, --version')
    .option('--debug', 'print stack traces of errors')
    .option('--no-color', 'plain output, even on a terminal (as NO_COLOR=1 or TERM=dumb)')
    .showHelpAfterError(`Usage: dss-gitops [options] [command]  (--help for more)`)
    .exitOverride()
    .configureHelp({ optionDescription: describeOption })
    .configureOutput({
      writeOut: (s) => ctx.io.stdout.write(s),
      writeErr: (s) => ctx.io.stderr.write(s),
    });
  for (const entry of COMMANDS) {
    if (everything || entry === wanted) (await entry.load())(program, ctx);
    else {
      const placeholder = new Command(entry.name).description(entry.description);
      placeholders.set(placeholder, entry.term);
      program.addCommand(placeholder);
    }
  }
  if (placeholders.size > 0) {
    program.configureHelp({
      optionDescription: describeOption,
      subcommandTerm(this: Help, command: Command): string {
        return placeholders.get(command) ?? Help.prototype.subcommandTerm.call(this, command);
      },
    });
  }
  inheritSettings(program);
  return program;
}

/** The command `argv` runs: its first word that is not an option (the program's options take no value). */
function commandRun(argv: readonly string[]): CommandEntry | undefined {
  const words = argv.filter((arg) => !arg.startsWith('-'));
  const name = words[0] === 'help' ? words[1] : words[0];
  return COMMANDS.find((entry) => entry.name === name);
}

/**
 * Commands are built with `new Command()` and added, which (unlike `.command()`) inherits nothing from the program:
 * without this, a command's `--help` or usage error would write to the process's streams and call `process.exit`,
 * ending an in-process caller (tests, the demo) instead of returning an exit code.
 */
function inheritSettings(parent: Command): void {
  for (const command of parent.commands) {
    command.copyInheritedSettings(parent);
    // After a usage error (with its "Did you mean" suggestion): the command's own usage, not the whole help.
    command.showHelpAfterError(usageLine(command));
    inheritSettings(command);
  }
}

function usageLine(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return `Usage: ${names.join(' ')} ${command.usage()}  (--help for more)`;
}

/** Option help without `(default: [])`: an empty list is the absence of a value, not a default worth showing. */
function describeOption(option: Option): string {
  const text = Help.prototype.optionDescription.call(new Help(), option);
  return text.replace(/ \(default: \[\]\)/, '').replace(/\(default: \[\]\)/, '').trim();
}

/**
 * Runs the CLI with `argv` (without the node and script names) and returns the exit code. The run has its own
 * secrets registry (see base/secrets.ts): it starts with the credentials the environment holds and the values of its
 * secret-looking variables, the loaders add
 * what they resolve, and everything the run writes on stdout and stderr passes through it.
 */
export async function runCli(argv: string[], io: CliIo, options: CliOptions = {}): Promise<number> {
  const credentials = CREDENTIAL_ENV.map((name) => io.env[name]).filter((v): v is string => v !== undefined);
  const secrets = new SecretRegistry([...credentials, ...environmentSecretValues(io.env)]);
  const scrubbed: CliIo = { ...io, stdout: scrubbedStream(io.stdout, secrets), stderr: scrubbedStream(io.stderr, secrets) };
  return withRunSecrets(secrets, () => run(argv, scrubbed, secrets, options));
}

/**
 * `stream` whose `write` removes the run's secrets first: the one place every command's output passes, whatever
 * wrote it (renderers, progress lines, warnings, the logger). Everything else is the stream's own.
 */
function scrubbedStream<T extends CliIo['stdout']>(stream: T, secrets: SecretRegistry): T {
  const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
    return original(text === undefined ? chunk : secrets.redact(text), ...rest);
  };
  return new Proxy(stream, {
    get(target, property) {
      if (property === 'write') return write;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

async function run(argv: string[], callerIo: CliIo, secrets: SecretRegistry, options: CliOptions): Promise<number> {
  let exitCode = EXIT_OK;
  let debug = false;
  // The run's own io, so that the global --no-color can be recorded on it before a command runs.
  const runIo: CliIo = { ...callerIo };
  const io = runIo;
  const ctx: CommandContext = {
    io,
    setExitCode: (code) => {
      exitCode = code;
    },
    debug: () => debug,
    ...(options.kinds ? { kinds: options.kinds } : {}),
  };
  const program = await buildProgram(ctx, argv);
  program.hook('preAction', (root) => {
    debug = Boolean(root.opts<{ debug?: boolean }>().debug);
    runIo.noColor = root.opts<{ color?: boolean }>().color === false;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with a CommanderError whose exit code is 0.
      return error.exitCode === 0 ? EXIT_OK : EXIT_ERROR;
    }
    reportError(error, io, debug, secrets);
    return EXIT_ERROR;
  }
}

/** Prints an error, scrubbed of the run's secrets (a DSS error may quote a value the request carried). */
export function reportError(error: unknown, io: CliIo, debug: boolean, secrets: SecretRegistry = new SecretRegistry()): void {
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(secrets.redact(`Error: ${message}\n`));
  if (debug && error instanceof Error && error.stack) io.stderr.write(secrets.redact(`${error.stack}\n`));
  else if (!(error instanceof DssGitopsError)) io.stderr.write('(run with --debug for the stack trace)\n');
}
