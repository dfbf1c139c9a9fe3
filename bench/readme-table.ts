// Prints the README's performance table from `npm run bench -- --json` output, with the date and the machine, so
// that the table is generated, never edited by hand.
//
//   npm run bench -- --json > bench.json && npm run bench:table -- bench.json

import { readFileSync } from 'node:fs';
import type { BenchReport, PhaseResult } from './cli-bench.js';

function readmeTable(report: BenchReport): string {
  const { machine } = report;
  const s = (ms: number): string => (ms / 1000).toFixed(2);
  const lines = [
    `Measured ${report.date.slice(0, 10)} on ${machine.nproc} × ${machine.cpu}, Node ${machine.node} (${machine.platform}); ` +
      `median of ${report.runs} runs (min–max), the whole CLI from process start to exit against \`dss-gitops sim\` in another process.`,
    '',
  ];
  if (report.startup.length > 0) {
    lines.push('| Start-up | Median | Min–max | × `node -e 0` |', '|---|---:|---:|---:|');
    for (const r of report.startup) {
      lines.push(`| \`${r.command}\` | ${r.medianMs.toFixed(0)} ms | ${r.minMs.toFixed(0)}–${r.maxMs.toFixed(0)} ms | ${r.ratioToNode.toFixed(2)} |`);
    }
    lines.push('');
  }
  lines.push(
    '| Size | Phase | Latency | Parallelism | Requests (writes) | Median | Min–max | × network bound | CPU | Peak RSS | × faster than parallelism 1 |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  const row = (r: PhaseResult): string =>
    `| ${r.projects} × ${r.scenarios} | ${r.phase} | ${r.latencyMs} ms | ${r.parallelism} | ${r.requests} (${r.writes}) | ` +
    `${s(r.medianMs)} s | ${s(r.minMs)}–${s(r.maxMs)} s | ${r.ratioToBound === null ? '–' : r.ratioToBound.toFixed(2)} | ` +
    `${s(r.cpuMedianMs)} s | ${r.peakRssMiB.toFixed(0)} MiB | ${r.speedupVsParallelism1 === null ? '–' : r.speedupVsParallelism1.toFixed(1)} |`;
  lines.push(...report.phases.map(row));
  return `${lines.join('\n')}\n`;
}

// The report file, or standard input.
process.stdout.write(readmeTable(JSON.parse(readFileSync(process.argv[2] ?? 0, 'utf8')) as BenchReport));
