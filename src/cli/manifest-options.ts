// The options every command that reads manifests shares (`-f`, `--config`, `--var`, `--var-file`), and their
// translation into `loadManifestSet` options. There is deliberately no option for an API key.

import { InvalidArgumentError, type Command } from 'commander';
import { parseVarFlag } from '../config/vars.js';
import type { CliIo } from './io.js';
import type { LoadManifestOptions } from '../manifest/types.js';

export interface ManifestFlags {
  file: string[];
  config?: string;
  var: string[];
  varFile: string[];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function collectAssignment(value: string, previous: string[]): string[] {
  if (parseVarFlag(value) === undefined) throw new InvalidArgumentError('expected NAME=VALUE.');
  return [...previous, value];
}

export function addManifestOptions(command: Command): Command {
  return command
    .option('-f, --file <path>', 'manifest file or directory (repeatable; default: the current directory)', collect, [])
    .option('--config <file>', 'configuration file (default: dss-gitops.yaml at the root of the first -f directory)')
    .option('--var <name=value>', 'value of ${var:name} (repeatable)', collectAssignment, [])
    .option('--var-file <file>', 'variables from a YAML, JSON or NAME=VALUE file (repeatable)', collect, []);
}

export function manifestLoadOptions(flags: ManifestFlags, io: CliIo): LoadManifestOptions {
  const options: LoadManifestOptions = {
    paths: flags.file.length > 0 ? flags.file : ['.'],
    vars: flags.var,
    varFiles: flags.varFile,
    env: io.env,
    cwd: io.cwd,
  };
  if (flags.config !== undefined) options.configPath = flags.config;
  return options;
}
