/**
 * Ingest benchmark: the hub against DCMTK storescp and Orthanc, measured in one run on one machine.
 * Not a test; see docs/benchmarks.md for what the figures mean.
 */
import { execFileSync } from 'node:child_process';
import { startReceiver, type ReceiverKind } from './receivers.js';
import { cachedSeries, cleanupAll, machineFacts, MB, median, procStatusKb, storescu, syncDisks, warmPageCache, type Series } from './support.js';

// Debian's DCMTK (storescu, storescp, and Orthanc, which links it) keeps Nagle's algorithm on unless
// TCP_NODELAY=1; with it on, every C-STORE waits ~40 ms for a delayed ACK. Every child inherits this.
process.env.TCP_NODELAY = '1';

const BAR_INSTANCES_PER_SECOND = 250;
const BAR_ORTHANC_RATIO = 1.0;
const BAR_PEAK_RSS_MB = 300;

const LABELS: Record<ReceiverKind, string> = {
  hub: 'radbridge hub (fsync + SQLite)',
  storescp: 'DCMTK storescp (no fsync)',
  orthanc: 'Orthanc (SyncStorageArea)',
};

function rounds(): number {
  const raw = process.env.BENCH_ROUNDS ?? '1';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_ROUNDS must be a positive integer, got ${raw}`);
  return n;
}

/** One timed send of the whole series to a fresh receiver; checks the receiver holds every instance. */
async function timedSend(kind: ReceiverKind, series: Series): Promise<number> {
  syncDisks();
  const receiver = await startReceiver(kind);
  try {
    const seconds = await storescu(series, receiver.port, receiver.aeTitle);
    const held = await receiver.instances();
    if (held !== series.count) throw new Error(`${LABELS[kind]} holds ${held} instances after the send, expected ${series.count}`);
    return seconds;
  } finally {
    await receiver.stop();
  }
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
}

function verdict(ok: boolean): string {
  return ok ? 'PASS' : 'FAIL';
}

async function throughput(series: Series, n: number): Promise<void> {
  const kinds: ReceiverKind[] = ['hub', 'storescp', 'orthanc'];
  const times: Record<ReceiverKind, number[]> = { hub: [], storescp: [], orthanc: [] };
  warmPageCache(series);
  for (let r = 1; r <= n; r++) {
    for (const kind of kinds) {
      const seconds = await timedSend(kind, series);
      times[kind].push(seconds);
      console.log(`  round ${r}/${n}  ${LABELS[kind].padEnd(31)} ${seconds.toFixed(2)} s`);
    }
  }
  const rate = (kind: ReceiverKind) => series.count / median(times[kind]);
  const widths = [31, 12, 8, 10];
  console.log(`\nIngest: ${series.count} instances, ${(series.bytes / MB).toFixed(1)} MB, one storescu association, median of ${n} round(s)\n`);
  console.log(row(['receiver', 'instances/s', 'MB/s', 'seconds'], widths));
  for (const kind of kinds) {
    const seconds = median(times[kind]);
    console.log(row([LABELS[kind], rate(kind).toFixed(1), (series.bytes / MB / seconds).toFixed(1), seconds.toFixed(2)], widths));
  }
  const hub = rate('hub');
  const vsOrthanc = hub / rate('orthanc');
  console.log(`\nhub / storescp  ${(hub / rate('storescp')).toFixed(2)}x`);
  console.log(`hub / Orthanc   ${vsOrthanc.toFixed(2)}x`);
  console.log(`\nbar: hub >= ${BAR_INSTANCES_PER_SECOND} instances/s   ${hub.toFixed(1)}   ${verdict(hub >= BAR_INSTANCES_PER_SECOND)}`);
  console.log(`bar: hub >= ${BAR_ORTHANC_RATIO.toFixed(1)}x Orthanc       ${vsOrthanc.toFixed(2)}x   ${verdict(vsOrthanc >= BAR_ORTHANC_RATIO)}`);
}

async function peakRss(series: Series): Promise<void> {
  warmPageCache(series);
  syncDisks();
  const hub = await startReceiver('hub');
  try {
    const pid = hub.pid;
    if (pid === undefined) throw new Error('hub has no pid');
    const idleKb = procStatusKb(pid, 'VmRSS') ?? 0;
    let sampledKb = idleKb;
    const sampler = setInterval(() => (sampledKb = Math.max(sampledKb, procStatusKb(pid, 'VmRSS') ?? 0)), 100);
    const seconds = await storescu(series, hub.port, hub.aeTitle).finally(() => clearInterval(sampler));
    const hwmKb = procStatusKb(pid, 'VmHWM');
    if (hwmKb === undefined) throw new Error(`cannot read VmHWM of hub process ${pid}`);
    const held = await hub.instances();
    if (held !== series.count) throw new Error(`hub holds ${held} instances after the send, expected ${series.count}`);
    const mb = (kb: number) => (kb * 1024) / MB;
    // Recent kernels update VmHWM lazily, so a sample can exceed it; the peak is the larger of the two.
    const peak = mb(Math.max(hwmKb, sampledKb));
    console.log(`\nMemory: fresh hub, ${series.count} instances (${(series.bytes / MB).toFixed(1)} MB) in ${seconds.toFixed(2)} s, ${(series.count / seconds).toFixed(1)} instances/s`);
    console.log(`  RSS when idle            ${mb(idleKb).toFixed(1)} MB`);
    console.log(`  VmHWM at the end         ${mb(hwmKb).toFixed(1)} MB`);
    console.log(`  highest sampled VmRSS    ${mb(sampledKb).toFixed(1)} MB (every 100 ms)`);
    console.log(`\nbar: hub peak RSS <= ${BAR_PEAK_RSS_MB} MB    ${peak.toFixed(1)}   ${verdict(peak <= BAR_PEAK_RSS_MB)}`);
  } finally {
    await hub.stop();
  }
}

async function main(): Promise<void> {
  console.log('Machine');
  for (const [name, value] of machineFacts()) console.log(`  ${name.padEnd(9)} ${value}`);
  console.log('');
  console.log('Building the hub (npm run build) so it runs as `npm start` runs it');
  execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  const series = cachedSeries(1000);
  const large = cachedSeries(2000);
  const n = rounds();
  console.log(`\nThroughput: each round sends to a fresh receiver (start-up not timed), hub then storescp then Orthanc`);
  console.log('  storescu, storescp and Orthanc run with TCP_NODELAY=1; storescp writes without fsync (DCMTK 3.6.7 has no option for it)');
  await throughput(series, n);
  await peakRss(large);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (err) {
  console.error(`\nbench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}
