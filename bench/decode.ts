/**
 * Pixel decoding benchmark: decodeInstance against DCMTK's command-line decoders, on the same files,
 * measured in one run on one machine. Not a test; see docs/benchmarks.md for what the figures mean.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { decodeInstance } from '../src/imaging/decode-instance.js';
import { loadCodecs } from '../src/imaging/compressed-frame.js';
import { fileSet, SIZE, SYNTAXES, type FileSet, type Syntax } from './decode-fixtures.js';
import { machineFacts, MB, median } from './support.js';

const FILES = 50;

function rounds(): number {
  const raw = process.env.BENCH_ROUNDS ?? '5';
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_ROUNDS must be a positive integer, got ${raw}`);
  return n;
}

function onPath(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Decodes every file once, checks what came out, and returns the seconds spent decoding. */
async function radbridgeOnce(s: Syntax, buffers: Buffer[]): Promise<number> {
  const started = performance.now();
  const decoded = [];
  for (const b of buffers) decoded.push(await decodeInstance(b));
  const seconds = (performance.now() - started) / 1000;
  for (const d of decoded) {
    if (d.transferSyntaxUid !== s.uid) throw new Error(`${s.name}: a file holds transfer syntax ${d.transferSyntaxUid}`);
    if (d.frames.length !== 1 || d.frames[0]?.samples.length !== SIZE * SIZE) throw new Error(`${s.name}: a file did not decode to one ${SIZE}x${SIZE} frame`);
  }
  return seconds;
}

/** Files read into memory first; one untimed pass to warm up, then the median of `n` timed passes. */
async function radbridge(s: Syntax, set: FileSet, n: number): Promise<number> {
  const buffers = set.files.map((f) => readFileSync(f));
  await radbridgeOnce(s, buffers);
  const times: number[] = [];
  for (let r = 0; r < n; r++) times.push(await radbridgeOnce(s, buffers));
  return median(times);
}

/** Seconds for one DCMTK decoder process on one file, output to /dev/null. */
function dcmtkRun(s: Syntax, file: string): number {
  const [cmd, ...options] = s.decode;
  const started = performance.now();
  const r = spawnSync(cmd, [...options, file, '/dev/null'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) throw new Error(`${cmd} ${file} exited with ${r.status}: ${r.stderr.toString()}`);
  return seconds;
}

/**
 * Per round: each file, then the 8x8 file, one process each and in turn, so that load from anything
 * else on the machine falls on both alike. Medians over the rounds of the sums over the set.
 */
function dcmtk(s: Syntax, set: FileSet, n: number): { whole: number; startup: number } {
  for (const f of set.files.slice(0, 3)) dcmtkRun(s, f);
  const whole: number[] = [];
  const startup: number[] = [];
  for (let r = 0; r < n; r++) {
    let file = 0;
    let tiny = 0;
    for (const f of set.files) {
      file += dcmtkRun(s, f);
      tiny += dcmtkRun(s, set.tiny);
    }
    whole.push(file);
    startup.push(tiny);
  }
  return { whole: median(whole), startup: median(startup) };
}

interface Result {
  syntax: Syntax;
  fileMb: number;
  pixelMb: number;
  radbridge: number;
  dcmtk: number;
  startup: number;
}

function row(cells: string[], widths: number[]): string {
  return cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
}

function printTable(results: Result[], n: number): void {
  const widths = [26, 8, 10, 9, 6, 10, 6];
  console.log(`\nDecode: ${FILES} files of ${SIZE}x${SIZE} per transfer syntax, median of ${n} round(s); MB/s = MB of decoded pixel data per second (MB = 10^6 bytes)\n`);
  console.log(row(['transfer syntax', 'file MB', 'radbridge', 'DCMTK', 'ratio', 'DCMTK net', 'ratio'], widths));
  for (const r of results) {
    const rate = (seconds: number) => r.pixelMb / seconds;
    const net = r.dcmtk - r.startup;
    const netCells = net > 0 ? [rate(net).toFixed(1), (rate(r.radbridge) / rate(net)).toFixed(2)] : ['n/a', 'n/a'];
    console.log(row([r.syntax.name, r.fileMb.toFixed(1), rate(r.radbridge).toFixed(1), rate(r.dcmtk).toFixed(1), (r.dcmtk / r.radbridge).toFixed(2), ...netCells], widths));
  }
  console.log('\nradbridge  decodeInstance on files already in memory, one Node process (parse + decode of every frame)');
  console.log('DCMTK      one decoder process per file (dcmconv +te, dcmdrle, dcmdjpeg, dcmdjpls), output to /dev/null;');
  console.log('           includes process start, reading the file and writing the decoded data set');
  console.log('DCMTK net  the same minus as many runs on an 8x8 file of the same syntax, each run next to one of the set');
  console.log('           (process start and per-file overhead); n/a where the difference is within that noise');
  console.log('ratio      radbridge MB/s / DCMTK MB/s (above 1: radbridge is faster)');
  const perStart = results.map((r) => (r.startup / FILES) * 1000);
  console.log(`\nDCMTK process on an 8x8 file: ${Math.min(...perStart).toFixed(1)}-${Math.max(...perStart).toFixed(1)} ms per run`);
}

async function main(): Promise<void> {
  console.log('Machine');
  for (const [name, value] of machineFacts()) console.log(`  ${name.padEnd(9)} ${value}`);
  const missing = [...new Set(SYNTAXES.flatMap((s) => [s.encode?.[0], s.decode[0]]))].filter((t): t is string => t !== undefined && !onPath(t));
  if (missing.length > 0) throw new Error(`needs DCMTK on the PATH (scripts/install-interop-packages.sh); missing ${missing.join(', ')}`);
  const n = rounds();
  console.log('\nTest images');
  const sets = SYNTAXES.map((s) => ({ syntax: s, set: fileSet(s, FILES) }));
  console.log(
    onPath('dcmcjp2k')
      ? '  JPEG 2000: not measured; dcmcjp2k is on the PATH but this bench does not drive it'
      : '  JPEG 2000: not measured; DCMTK here has no JPEG 2000 encoder (no dcmcjp2k on the PATH; Debian DCMTK 3.6.7 ships none)',
  );
  await loadCodecs();
  const results: Result[] = [];
  for (const { syntax, set } of sets) {
    const ours = await radbridge(syntax, set, n);
    const theirs = dcmtk(syntax, set, n);
    const pixelMb = (FILES * SIZE * SIZE * (syntax.bits / 8)) / MB;
    console.log(`  ${syntax.name.padEnd(26)} radbridge ${(ours * 1000).toFixed(0).padStart(5)} ms   DCMTK ${(theirs.whole * 1000).toFixed(0).padStart(5)} ms (8x8 runs ${(theirs.startup * 1000).toFixed(0)} ms)`);
    results.push({ syntax, fileMb: set.bytes / MB, pixelMb, radbridge: ours, dcmtk: theirs.whole, startup: theirs.startup });
  }
  printTable(results, n);
}

try {
  await main();
} catch (err) {
  console.error(`\nbench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
