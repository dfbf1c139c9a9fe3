// Runs the CLI as a user does, one process from start to exit, and reports its wall time, exit code, peak RSS, CPU
// time and what it saw of its own requests.

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ClientNetwork } from './figures.js';
import { REQUESTS_FILE_ENV } from './floor.js';
import type { CliEntry } from './workload.js';

export interface CliRun {
  ms: number;
  exitCode: number | null;
  maxRssKiB: number;
  cpuMs: number;
  /** The CLI's requests as the hook saw them, null when it sent none (or without the hook). */
  network: ClientNetwork | null;
  output: string;
}

/**
 * A hook loaded with --import: writes the process's peak RSS (KiB) and CPU time (µs) to a file on exit, and the
 * CPU time and wall time from the creation of its first HTTP request to the completion of its last (undici's
 * diagnostics channels: a process.cpuUsage() per request, a microsecond or two). With DSS_GITOPS_BENCH_REQUESTS_FILE
 * set, it also writes there the method, origin and path of each request as it was created, in order (for the floor,
 * bench/floor.ts).
 */
const RSS_HOOK = `import { writeFileSync } from 'node:fs';
import { subscribe } from 'node:diagnostics_channel';
const cpu = () => { const u = process.cpuUsage(); return u.user + u.system; };
const requestsFile = process.env.${REQUESTS_FILE_ENV};
const recorded = [];
let first = null;
let last = null;
let requests = 0;
subscribe('undici:request:create', ({ request }) => {
  first ??= [performance.now(), cpu()];
  if (requestsFile) recorded.push([request.method, request.origin, request.path]);
});
const done = () => { requests += 1; last = [performance.now(), cpu()]; };
subscribe('undici:request:trailers', done);
subscribe('undici:request:error', done);
process.on('exit', () => {
  const usage = process.resourceUsage();
  const network = first && last ? { requests, wallMs: last[0] - first[0], cpuMs: (last[1] - first[1]) / 1000 } : null;
  writeFileSync(process.env.DSS_GITOPS_BENCH_RSS_FILE, JSON.stringify([usage.maxRSS, usage.userCPUTime + usage.systemCPUTime, network]));
  if (requestsFile) writeFileSync(requestsFile, JSON.stringify(recorded));
});
`;

/** A CLI process started by Runner.start: its process, and its run once it has exited. */
export interface StartedCli {
  child: ChildProcess;
  done: Promise<CliRun>;
}

export class Runner {
  private readonly hook: string;
  private readonly rssFile: string;

  constructor(
    private readonly cli: CliEntry,
    readonly dir: string,
  ) {
    this.hook = join(dir, 'rss-hook.mjs');
    this.rssFile = join(dir, 'rss');
    writeFileSync(this.hook, RSS_HOOK);
  }

  /** Runs `node [flags] ENTRY argv` and times it from spawn to exit; `rss` loads the peak-RSS hook. */
  run(argv: string[], env: Record<string, string>, rss = true): Promise<CliRun> {
    return this.start(argv, env, rss).done;
  }

  /** Starts `node [flags] ENTRY argv`; `onStderrLine` gets each line of its standard error as it comes. */
  start(argv: string[], env: Record<string, string>, rss = true, onStderrLine?: (line: string) => void): StartedCli {
    const args = [...(rss ? ['--import', pathToFileURL(this.hook).href] : []), ...this.cli.args, ...argv];
    rmSync(this.rssFile, { force: true });
    const started = performance.now();
    const child = spawn(this.cli.node, args, {
      cwd: this.dir,
      env: { ...process.env, ...env, DSS_GITOPS_BENCH_RSS_FILE: this.rssFile, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString()).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    if (onStderrLine) {
      let partial = '';
      child.stderr.on('data', (chunk: Buffer) => {
        const lines = (partial + chunk.toString()).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) onStderrLine(line);
      });
    }
    const done = (async (): Promise<CliRun> => {
      const exitCode = await new Promise<number | null>((resolve, reject) => {
        child.once('error', reject);
        child.once('close', (code) => resolve(code));
      });
      const ms = performance.now() - started;
      const [maxRssKiB, cpuMicros, network] = rss
        ? (JSON.parse(readFileSync(this.rssFile, 'utf8')) as [number, number, ClientNetwork | null])
        : [0, 0, null];
      return { ms, exitCode, maxRssKiB, cpuMs: cpuMicros / 1000, network, output };
    })();
    return { child, done };
  }
}
