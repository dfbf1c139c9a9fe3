// The README's performance tables from a bench report (bench/readme-table.ts prints them): the whole CLI per phase,
// its network phase, the floor beside the plan's (undici alone) and the client's CPU per request, start-up, and the
// watch's ticks.

import type { BenchReport, PhaseResult, WatchResult } from './report.js';

const s = (ms: number): string => (ms / 1000).toFixed(2);
const ratio = (r: number | null): string => (r === null ? '–' : r.toFixed(2));
const seconds = (ms: number | null): string => (ms === null ? '–' : `${s(ms)} s`);

export function readmeTable(report: BenchReport): string {
  const { machine } = report;
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
    '| Size | Phase | Latency | Parallelism | Requests (writes) | Median | Min–max | × network bound | Network phase | Network phase × bound | Floor network phase (undici alone) | Network phase × floor | Client CPU / request | CPU | Peak RSS | × faster than parallelism 1 |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  lines.push(...report.phases.map(phaseRow));
  const watch = report.watch ?? [];
  if (watch.length > 0) {
    lines.push(
      '',
      '| Size | Watch | Latency | Parallelism | Requests per tick | Median tick | Min–max | First tick | Network phase | Network phase × bound | × plan | × plan\'s network phase | Peak RSS |',
      '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...watch.map(watchRow),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The tree's size: its label (the platform tree's), or N × M projects and scenarios. */
function sizeOf(r: PhaseResult | WatchResult): string {
  return r.tree ?? `${r.projects} × ${r.scenarios}`;
}

function phaseRow(r: PhaseResult): string {
  // Reports made before the network phase was measured have none of its fields.
  const perRequest = r.clientCpuPerRequestMs ?? null;
  // Nor those made before the floor was measured.
  const floor = r.floor ?? null;
  return (
    `| ${sizeOf(r)} | ${r.phase} | ${r.latencyMs} ms | ${r.parallelism} | ${r.requests} (${r.writes}) | ` +
    `${s(r.medianMs)} s | ${s(r.minMs)}–${s(r.maxMs)} s | ${ratio(r.ratioToBound)} | ` +
    `${seconds(r.networkPhaseMedianMs ?? null)} | ${ratio(r.networkRatioToBound ?? null)} | ${seconds(floor?.networkPhaseMedianMs ?? null)} | ${ratio(r.networkRatioToFloor ?? null)} | ${perRequest === null ? '–' : `${perRequest.toFixed(3)} ms`} | ` +
    `${s(r.cpuMedianMs)} s | ${r.peakRssMiB.toFixed(0)} MiB | ${r.speedupVsParallelism1 === null ? '–' : r.speedupVsParallelism1.toFixed(1)} |`
  );
}

function watchRow(r: WatchResult): string {
  return (
    `| ${sizeOf(r)} | every ${r.scheduleSeconds} s, ${r.ticks} ticks${r.skippedTicks > 0 ? ` (${r.skippedTicks} skipped)` : ''} | ` +
    `${r.latencyMs} ms | ${r.parallelism} | ${r.requests} | ${s(r.medianMs)} s | ${s(r.minMs)}–${s(r.maxMs)} s | ${s(r.firstTickMs)} s | ` +
    `${seconds(r.networkPhaseMedianMs)} | ${ratio(r.networkRatioToBound)} | ${ratio(r.ratioToPlan)} | ${ratio(r.ratioToPlanNetworkPhase)} | ${r.peakRssMiB.toFixed(0)} MiB |`
  );
}
