// Variables for `${var:NAME}`: `--var K=V` flags and `--var-file F` files (YAML, JSON, or `K=V` lines).
// Files come first in the order given, then flags, and the last definition of a name wins.

import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { joinPointer } from '../base/json-pointer.js';
import { parseYaml } from '../base/yaml-source.js';
import type { Problem } from '../base/problem.js';

export interface VarsResult {
  vars: Record<string, string>;
  problems: Problem[];
}

const ASSIGNMENT = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/;

/** Parses one `K=V` flag; `undefined` when it is not of that form. */
export function parseVarFlag(flag: string): [string, string] | undefined {
  const match = ASSIGNMENT.exec(flag);
  return match ? [match[1] ?? '', match[2] ?? ''] : undefined;
}

export function collectVars(flags: readonly string[], files: readonly string[], cwd: string): VarsResult {
  const vars: Record<string, string> = {};
  const problems: Problem[] = [];
  for (const file of files) {
    const absolute = path.resolve(cwd, file);
    let text: string;
    try {
      text = readFileSync(absolute, 'utf8');
    } catch {
      problems.push({ file: absolute, line: 1, column: 1, message: 'cannot read the --var-file' });
      continue;
    }
    Object.assign(vars, parseVarFile(text, absolute, problems));
  }
  for (const flag of flags) {
    const parsed = parseVarFlag(flag);
    if (parsed) vars[parsed[0]] = parsed[1];
    else problems.push({ file: '--var', line: 1, column: 1, message: `\`${flag}\` is not of the form NAME=VALUE` });
  }
  return { vars, problems };
}

function parseVarFile(text: string, file: string, problems: Problem[]): Record<string, string> {
  const lines = text.split(/\r?\n/);
  const meaningful = lines.filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (meaningful.length > 0 && meaningful.every((l) => ASSIGNMENT.test(l.trim()))) {
    const vars: Record<string, string> = {};
    for (const line of meaningful) {
      const parsed = parseVarFlag(line.trim());
      if (parsed) vars[parsed[0]] = parsed[1];
    }
    return vars;
  }
  const parsed = parseYaml(file, text);
  problems.push(...parsed.problems);
  if (parsed.problems.length > 0) return {};
  const doc = parsed.documents[0];
  const value: unknown = doc?.value;
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    const at = doc?.positions.start() ?? { file, line: 1, column: 1 };
    problems.push({ ...at, message: 'a var file is a mapping of names to values, or `NAME=VALUE` lines' });
    return {};
  }
  const vars: Record<string, string> = {};
  for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
    if (item !== null && typeof item === 'object') {
      const at = doc?.positions.fieldPosition(joinPointer('', name)) ?? { file, line: 1, column: 1 };
      problems.push({ ...at, message: `variable \`${name}\` must be a scalar, not a structure` });
    } else {
      vars[name] = String(item);
    }
  }
  return vars;
}
