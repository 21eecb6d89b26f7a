// Timing helpers. The machines this runs on are shared (2 cores, other builds running), so
// every figure is per-sample CPU time of this process (process.cpuUsage) with the median
// taken over many samples; wall time is kept beside it. Implementations being compared are
// interleaved sample by sample, so they see the same machine conditions.
import os from 'node:os';

export function median(values) {
  const v = [...values].sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : NaN;
}

function cpuSeconds() {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
}

/**
 * Runs each named function once per round, round after round, until `budgetMs` of wall time
 * has passed (at least `minRounds`). → {name: {cpu, wall, samples}} with medians in seconds.
 */
export function interleaved(fns, { budgetMs = 3000, warmup = 20, minRounds = 10 } = {}) {
  const names = Object.keys(fns);
  for (let i = 0; i < warmup; i++) for (const n of names) fns[n]();
  const cpu = Object.fromEntries(names.map((n) => [n, []]));
  const wall = Object.fromEntries(names.map((n) => [n, []]));
  const start = performance.now();
  let rounds = 0;
  while (performance.now() - start < budgetMs || rounds < minRounds) {
    for (const n of names) {
      const c0 = cpuSeconds();
      const w0 = performance.now();
      fns[n]();
      wall[n].push((performance.now() - w0) / 1000);
      cpu[n].push(cpuSeconds() - c0);
    }
    rounds++;
  }
  return Object.fromEntries(names.map((n) => [n, { cpu: median(cpu[n]), wall: median(wall[n]), samples: rounds }]));
}

export function machine() {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    load: os.loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

export const fmt = {
  ratio: (x) => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '—'),
  num: (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : '—'),
  kb: (bytes) => `${(bytes / 1024).toFixed(1)} KB`,
  mb: (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`,
  pct: (x) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '—'),
  ms: (s) => `${(s * 1000).toFixed(2)} ms`,
};
