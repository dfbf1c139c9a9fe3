// Shared pieces of the watch tests: a git repository of manifests made in a temporary directory, a runner of
// drift runs against a simulator, captured CLI streams, and a strict parser of Prometheus text.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { git } from './git.js';

export { git };

export const EXAMPLE = path.resolve(import.meta.dirname, '../../manifests-example');


/** A repository whose `manifests/` holds a copy of manifests-example, committed on `main`. */
export function manifestRepository(): { dir: string; manifests: string; head(): string; commitAll(message: string): string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'dss-gitops-watch-repo-'));
  git(dir, 'init', '-q', '-b', 'main');
  cpSync(EXAMPLE, path.join(dir, 'manifests'), { recursive: true });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'manifests');
  return {
    dir,
    manifests: path.join(dir, 'manifests'),
    head: () => git(dir, 'rev-parse', 'HEAD'),
    commitAll: (message) => {
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', message);
      return git(dir, 'rev-parse', 'HEAD');
    },
  };
}

export function editFile(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${file} does not contain ${from}`);
  writeFileSync(file, text.replace(from, to));
}

// The captured io lives with the other CLI test plumbing; re-exported for the watch tests that import it from here.
export { captureIo, type CapturedIo } from './cli.js';

/** The JSON log lines written so far. */
export function logLines(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format strictly: any line that is not a comment, a blank or a sample throws. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  const typed = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      if (meta[1] === 'TYPE') {
        if (!/^(counter|gauge|histogram|summary|untyped)$/.test(meta[3] ?? '')) throw new Error(`bad TYPE line: ${line}`);
        typed.add(meta[2] as string);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|\+Inf|-Inf|NaN))$/.exec(line);
    if (!sample) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (sample[2] ?? '').split(',').filter((p) => p !== '')) {
      const label = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"$/.exec(pair);
      if (!label) throw new Error(`bad label in: ${line}`);
      labels[label[1] as string] = label[2] as string;
    }
    const name = sample[1] as string;
    const family = name.replace(/_(bucket|sum|count)$/, '');
    if (!typed.has(name) && !typed.has(family)) throw new Error(`sample without a TYPE: ${line}`);
    samples.push({ name, labels, value: Number(sample[3]) });
  }
  return samples;
}

export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

export interface Receiver {
  url: string;
  messages: Array<{ text: string; report: Record<string, unknown> }>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += String(chunk);
  return body;
}

/** A local webhook receiver recording every JSON message it is sent. */
export async function webhookReceiver(): Promise<Receiver> {
  const messages: Receiver['messages'] = [];
  const server: Server = createServer((req, res) => {
    void readBody(req).then((body) => {
      messages.push(JSON.parse(body) as Receiver['messages'][number]);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    messages,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
