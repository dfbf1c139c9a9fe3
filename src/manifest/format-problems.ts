// Prints problems the way compilers do, `file:line:col: message`, with paths relative to the working directory.

import * as path from 'node:path';
import type { Problem } from './types.js';

export function formatProblem(problem: Problem, cwd: string): string {
  const file = path.isAbsolute(problem.file) ? path.relative(cwd, problem.file) || problem.file : problem.file;
  const severity = problem.severity === 'warning' ? 'warning: ' : '';
  const head = `${file}:${problem.line}:${problem.column}: ${severity}${problem.message}`;
  return problem.hint === undefined ? head : `${head}\n  hint: ${problem.hint}`;
}
