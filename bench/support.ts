import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { writeCtSeries } from '../test/support/synthetic-ct.js';

export const repoRoot = path.resolve(import.meta.dirname, '..');
export const MB = 1e6;

type Cleanup = () => Promise<void> | void;
const cleanups: Cleanup[] = [];

/** Registers a cleanup; they run last-in first-out on exit, on failure and on SIGINT/SIGTERM. */
export function onCleanup(fn: Cleanup): void {
  cleanups.push(fn);
}

export async function cleanupAll(): Promise<void> {
  for (let fn = cleanups.pop(); fn; fn = cleanups.pop()) {
    try {
      await fn();
    } catch (err) {
      console.error(`cleanup failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

export interface Series {
  dir: string;
  count: number;
  bytes: number;
}

/** A 512x512 16-bit CT series under .bench/, written once and reused while its marker file exists. */
export function cachedSeries(count: number): Series {
  const name = `ct-${count}-512x512`;
  const dir = path.join(repoRoot, '.bench', name);
  const marker = path.join(repoRoot, '.bench', `${name}.json`);
  if (!existsSync(marker)) {
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`generating ${name} under .bench/ (once) ... `);
    // dcmjs warns about the pixel data VR on every file it writes.
    (dcmjs as unknown as { log: { setLevel(level: string): void } }).log.setLevel('error');
    const started = performance.now();
    const { files } = writeCtSeries({ dir, count, seed: `bench-${name}`, rows: 512, columns: 512 });
    const bytes = files.reduce((sum, f) => sum + statSync(f).size, 0);
    writeFileSync(marker, JSON.stringify({ count, bytes }));
    console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const { bytes } = JSON.parse(readFileSync(marker, 'utf8')) as { bytes: number };
  return { dir, count, bytes };
}

/** Sends every .dcm file of a folder over one association with DCMTK storescu; resolves to the seconds from start to exit 0. */
export function storescu(series: Series, port: number, calledAe: string): Promise<number> {
  const args = ['-aet', 'BENCH', '-aec', calledAe, '+sd', '+sp', '*.dcm', '127.0.0.1', String(port), series.dir];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('storescu', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      if (code === 0) resolve(seconds);
      else reject(new Error(`storescu exited with ${code}\n${stderr}`));
    });
  });
}

/** Flushes dirty pages so one receiver's unsynced writes do not slow the next one's fsyncs. */
export function syncDisks(): void {
  execFileSync('sync');
}

/** Reads every file once so the first receiver does not pay for a cold page cache. */
export function warmPageCache(series: Series): void {
  execFileSync('sh', ['-c', 'cat -- "$1"/*.dcm > /dev/null', 'sh', series.dir]);
}

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM), or undefined once the process is gone. */
export function procStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

function firstLine(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n')[0]?.trim() ?? '?';
  } catch {
    return 'not found';
  }
}

function filesystemOf(dir: string): string {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .filter((f) => f.length > 2 && dir.startsWith(f[1] as string))
    .sort((a, b) => (b[1] as string).length - (a[1] as string).length);
  const m = mounts[0];
  return m ? `${m[0]} (${m[2]}) on ${m[1]}` : '?';
}

export function machineFacts(): [string, string][] {
  const tmp = os.tmpdir();
  const disk = statfsSync(tmp);
  const cpu = os.cpus()[0]?.model ?? '?';
  return [
    ['CPU', `${cpu}, ${os.availableParallelism()} cores`],
    ['memory', `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB total, ${(os.freemem() / 2 ** 30).toFixed(1)} GiB free`],
    ['kernel', `${os.type()} ${os.release()}`],
    ['node', process.version],
    ['DCMTK', firstLine('storescu', ['--version']).replace(/^\$dcmtk: |\s*\$$/g, '')],
    ['Orthanc', firstLine('Orthanc', ['--version'])],
    ['temp dir', `${tmp} on ${filesystemOf(tmp)}, ${((disk.bavail * disk.bsize) / 1e9).toFixed(1)} GB free`],
  ];
}
