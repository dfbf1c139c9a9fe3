// Simulator throughput: simple authenticated GETs on loopback over keep-alive connections (undici Pool).
// The simulator must never be the bottleneck of later benchmarks; this prints requests per second, the median of
// several runs. Client and server share this process, so the figure is a lower bound of what the server can do.
//
//   npm run bench:simulator -- [--runs 5] [--requests 20000] [--concurrency 64] [--connections 16]

import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { startSimulator } from '../src/simulator/server.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '64' },
    connections: { type: 'string', default: '16' },
  },
});
const runs = Number(values.runs);
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const connections = Number(values.connections);

const adminKey = 'bench-admin-key';
const sim = await startSimulator({ adminKey });
const pool = new Pool(sim.url, { connections, pipelining: 1 });
const headers = { authorization: `Basic ${Buffer.from(`${adminKey}:`).toString('base64')}` };

async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<void> {
  const response = await pool.request({
    method,
    path: `/public/api${path}`,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  await response.body.text();
  if (response.statusCode >= 300) throw new Error(`${method} ${path} answered ${response.statusCode}`);
}

await call('POST', '/projects/', { projectKey: 'BENCH', name: 'Bench' });
const paths = ['/projects/BENCH/variables', '/projects/BENCH/metadata', '/project-folders/ROOT'];

async function oneRun(): Promise<number> {
  let next = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (next < requests) {
      const i = next;
      next += 1;
      await call('GET', paths[i % paths.length] ?? '/projects/');
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return requests / ((performance.now() - started) / 1000);
}

await oneRun(); // warm-up: JIT and connection set-up
const rates: number[] = [];
for (let run = 1; run <= runs; run += 1) {
  const rate = await oneRun();
  rates.push(rate);
  console.log(`run ${run}: ${Math.round(rate)} requests/s`);
}
rates.sort((a, b) => a - b);
const median = rates[Math.floor(rates.length / 2)] ?? 0;
console.log(
  `simulator throughput: median ${Math.round(median)} requests/s over ${runs} runs of ${requests} GETs ` +
    `(concurrency ${concurrency}, ${connections} keep-alive connections, node ${process.version})`,
);
await pool.close();
await sim.close();
