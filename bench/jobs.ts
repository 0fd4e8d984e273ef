/**
 * Job engine benchmark: no-op job throughput and enqueue-to-start latency on SQLite (the engine in
 * this process) and PostgreSQL (1, 2 and 4 worker processes), side by side, against "enqueue-to-start
 * p95 at most 50 ms on SQLite when idle". Not a test; see docs/benchmarks.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { startJobEngine, type JobEngine } from '../src/jobs/job-engine.js';
import { openDatabase, type Database } from '../src/store/database.js';
import { migrate } from '../src/store/migrations.js';
import { enqueueJob } from '../src/store/job-queue.js';
import { dropSchema, postgresDatabase, tempDir, testConfig } from '../test/support/test-hub.js';
import { machineFacts, repoRoot } from './support.js';

const THROUGHPUT_JOBS = 2000;
const LATENCY_JOBS = 200;
const LATENCY_GAP_MS = 25;
const BAR_P95_MS = 50;

interface Setup {
  name: string;
  kind: 'sqlite' | 'postgres';
  /** Worker processes; 0: the engine runs in this process. */
  workers: number;
}

interface Figures {
  jobsPerSecond: number;
  p50: number;
  p95: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function spawnWorker(config: unknown, dataDir: string, workerId: string): Promise<ChildProcess> {
  const args = JSON.stringify({ database: config, dataDir, workerId });
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'bench/jobs-worker.ts'), args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`${workerId} exited with ${code} before it was ready`)));
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

async function untilDone(database: Database, prefix: string, count: number): Promise<void> {
  for (;;) {
    const row = await database.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('status', '=', 'done')
      .where('idempotency_key', 'like', `${prefix}%`)
      .executeTakeFirstOrThrow();
    if (Number(row.n) >= count) return;
    await sleep(20);
  }
}

function timesOf(database: Database, prefix: string) {
  return database.db.selectFrom('jobs').select(['created_at', 'started_at', 'updated_at']).where('idempotency_key', 'like', `${prefix}%`).execute();
}

/** Jobs queued at once (due together once all are queued), from the first start to the last end. */
async function throughput(database: Database): Promise<number> {
  const runAfter = Date.now() + 1_000;
  await database.db.transaction().execute(async (trx) => {
    for (let i = 0; i < THROUGHPUT_JOBS; i++) await enqueueJob(trx, 'job.probe', { label: 'bench' }, `bulk/${i}`, Date.now(), { runAfter });
  });
  await untilDone(database, 'bulk/', THROUGHPUT_JOBS);
  const rows = await timesOf(database, 'bulk/');
  const first = Math.min(...rows.map((r) => r.started_at ?? Infinity));
  const last = Math.max(...rows.map((r) => r.updated_at));
  return THROUGHPUT_JOBS / ((last - first) / 1000);
}

/** Jobs queued one at a time to idle workers: enqueue to the start of the attempt. */
async function latencies(database: Database): Promise<number[]> {
  for (let i = 0; i < LATENCY_JOBS; i++) {
    await enqueueJob(database.db, 'job.probe', { label: 'bench' }, `idle/${i}`, Date.now());
    await sleep(LATENCY_GAP_MS);
  }
  await untilDone(database, 'idle/', LATENCY_JOBS);
  return (await timesOf(database, 'idle/')).map((r) => (r.started_at ?? NaN) - r.created_at);
}

async function measure(setup: Setup): Promise<Figures> {
  const dataDir = tempDir('radbridge-bench-jobs-');
  const overrides = setup.kind === 'sqlite' ? { kind: 'sqlite', path: path.join(dataDir, 'index.sqlite') } : postgresDatabase();
  const config = testConfig(dataDir, { database: overrides }).database;
  const database = await openDatabase(config, dataDir);
  const workers: ChildProcess[] = [];
  let engine: JobEngine | undefined;
  try {
    await migrate(database);
    if (setup.workers === 0) engine = startJobEngine({ database, log: pino({ level: 'warn' }), now: Date.now }, { 'job.probe': () => Promise.resolve() });
    for (let n = 1; n <= setup.workers; n++) workers.push(await spawnWorker(config, dataDir, `bench-${n}`));
    const waits = await latencies(database);
    const jobsPerSecond = await throughput(database);
    return { jobsPerSecond, p50: percentile(waits, 50), p95: percentile(waits, 95) };
  } finally {
    await engine?.stop();
    for (const child of workers) await stopWorker(child);
    await database.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (config.kind === 'postgres') await dropSchema(config.url, config.schema);
  }
}

function table(setups: Setup[], figures: Figures[]): string[] {
  const rows: Array<[string, (f: Figures) => string]> = [
    ['throughput (jobs/s)', (f) => f.jobsPerSecond.toFixed(0)],
    ['enqueue-to-start p50 (ms)', (f) => f.p50.toFixed(0)],
    ['enqueue-to-start p95 (ms)', (f) => f.p95.toFixed(0)],
  ];
  const width = 22;
  const header = ''.padEnd(28) + setups.map((s) => s.name.padStart(width)).join('');
  return [header, ...rows.map(([label, cell]) => label.padEnd(28) + figures.map((f) => cell(f).padStart(width)).join(''))];
}

async function main(): Promise<void> {
  console.log('Machine');
  for (const [k, v] of machineFacts()) console.log(`  ${k.padEnd(9)} ${v}`);
  console.log(
    `\nJobs: no-op 'job.probe' jobs, engine defaults (concurrency 4 per engine, poll 250 ms, lease 30 s)\n` +
      `  throughput: ${THROUGHPUT_JOBS} jobs queued at once, first start to last end\n` +
      `  enqueue-to-start: ${LATENCY_JOBS} jobs queued one every ${LATENCY_GAP_MS} ms to idle workers\n`,
  );
  const setups: Setup[] = [
    { name: 'SQLite 1 process', kind: 'sqlite', workers: 0 },
    { name: 'PostgreSQL 1 worker', kind: 'postgres', workers: 1 },
    { name: 'PostgreSQL 2 workers', kind: 'postgres', workers: 2 },
    { name: 'PostgreSQL 4 workers', kind: 'postgres', workers: 4 },
  ];
  const figures: Figures[] = [];
  for (const setup of setups) {
    process.stdout.write(`measuring ${setup.name} ... `);
    const started = performance.now();
    figures.push(await measure(setup));
    console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(`\n${table(setups, figures).join('\n')}\n`);
  const p95 = figures[0]?.p95 ?? NaN;
  console.log(`bar: enqueue-to-start p95 <= ${BAR_P95_MS} ms on SQLite when idle   ${p95.toFixed(0)} ms   ${p95 <= BAR_P95_MS ? 'PASS' : 'FAIL'}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exitCode = 1;
});
