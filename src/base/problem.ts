// A problem found in an input file (manifest, configuration, variables file): a message at a file, line and
// column. The loaders of every input layer report these; only the CLI prints them.

export interface SourcePosition {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
}

export interface Problem extends SourcePosition {
  message: string;
  /** A suggestion, e.g. the nearest valid field name for a typo. */
  hint?: string;
  /** Absent means `error`. Warnings are printed but do not make the manifests invalid. */
  severity?: 'error' | 'warning';
}

export function isError(problem: Problem): boolean {
  return problem.severity !== 'warning';
}
