/**
 * Volume benchmark: builds a 1,000-slice 512x512 CT volume from a hub's store in a fresh process and
 * measures time and peak RSS against "peak RSS at most 2x the volume's size in memory".
 * Not a test; see docs/benchmarks.md.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { buildVolume } from '../src/imaging/volume.js';
import { openDatabase } from '../src/store/database.js';
import { ObjectStore } from '../src/store/object-store.js';
import { listSeriesFiles, seriesVolumeSource, type SeriesScope } from '../src/store/series-volume-source.js';
import { startTestHub, testConfig } from '../test/support/test-hub.js';
import { cachedSeries, cleanupAll, machineFacts, MB, procStatusKb, repoRoot, storescu, syncDisks, type Series } from './support.js';

process.env.TCP_NODELAY = '1';

const SLICES = 1000;
const BAR_RSS_TO_VOLUME = 2;
const MiB = 2 ** 20;

interface StoredSeries extends SeriesScope {
  dataDir: string;
}

/** The study and series UIDs of a generated series, from its first file's header. */
function seriesScope(series: Series): SeriesScope {
  const first = readdirSync(series.dir).filter((f) => f.endsWith('.dcm')).sort()[0];
  if (!first) throw new Error(`no .dcm files in ${series.dir}`);
  const bytes = readFileSync(path.join(series.dir, first));
  const { dict } = dcmjs.data.DicomMessage.readFile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), { untilTag: '7FE00010' });
  return { studyUid: String(dict['0020000D']?.Value?.[0]), seriesUid: String(dict['0020000E']?.Value?.[0]) };
}

/** A hub data folder under .bench/ holding the series, C-STOREd once with storescu and reused while its marker exists. */
async function storedSeries(series: Series): Promise<StoredSeries> {
  const dataDir = path.join(repoRoot, '.bench', `volume-hub-${path.basename(series.dir)}`);
  const marker = `${dataDir}.json`;
  if (!existsSync(marker)) {
    rmSync(dataDir, { recursive: true, force: true });
    const scope = seriesScope(series);
    process.stdout.write(`storing ${series.count} instances into a hub data folder under .bench/ (once) ... `);
    const hub = await startTestHub({ log: { level: 'warn' } }, dataDir);
    try {
      const seconds = await storescu(series, hub.dicomPort, hub.config.dicom.aeTitle);
      const held = (await listSeriesFiles(hub.app.database.db, scope)).length;
      if (held !== series.count) throw new Error(`the hub holds ${held} instances of the series, expected ${series.count}`);
      console.log(`${seconds.toFixed(1)} s`);
    } finally {
      await hub.stopKeepingData();
    }
    writeFileSync(marker, JSON.stringify(scope));
  }
  return { dataDir, ...(JSON.parse(readFileSync(marker, 'utf8')) as SeriesScope) };
}

interface BuildResult {
  seconds: number;
  dims: number[];
  spacing: number[];
  volumeBytes: number;
  rssBeforeKb: number;
  hwmKb: number;
}

/** The child: opens the store, builds the volume, prints one JSON line. */
async function buildInThisProcess(stored: StoredSeries): Promise<void> {
  const database = await openDatabase(testConfig(stored.dataDir).database, stored.dataDir);
  try {
    const rssBeforeKb = procStatusKb(process.pid, 'VmRSS') ?? 0;
    const started = performance.now();
    const { volume, geometry } = await buildVolume(await seriesVolumeSource(database.db, new ObjectStore(stored.dataDir), stored));
    const seconds = (performance.now() - started) / 1000;
    if (geometry.gaps.length > 0 || geometry.duplicates.length > 0) throw new Error('the bench series should have no gaps or duplicates');
    const result: BuildResult = { seconds, dims: volume.dims, spacing: volume.spacing, volumeBytes: volume.voxels.byteLength, rssBeforeKb, hwmKb: procStatusKb(process.pid, 'VmHWM') ?? 0 };
    console.log(JSON.stringify(result));
  } finally {
    await database.close();
  }
}

/** Runs the build in a fresh process, sampling its VmRSS every 50 ms. */
function buildInFreshProcess(stored: StoredSeries): Promise<{ result: BuildResult; sampledKb: number }> {
  const args = ['--import', 'tsx', path.join(repoRoot, 'bench', 'volume.ts'), '--build', JSON.stringify(stored)];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let sampledKb = 0;
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const pid = child.pid;
  const sampler = setInterval(() => (sampledKb = Math.max(sampledKb, pid === undefined ? 0 : (procStatusKb(pid, 'VmRSS') ?? 0))), 50);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      clearInterval(sampler);
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`the build process exited with ${code}\n${out}`));
      else resolve({ result: JSON.parse(line) as BuildResult, sampledKb });
    });
  });
}

async function main(): Promise<void> {
  console.log('Machine');
  for (const [name, value] of machineFacts()) console.log(`  ${name.padEnd(9)} ${value}`);
  console.log('');
  const series = cachedSeries(SLICES);
  const stored = await storedSeries(series);
  syncDisks();
  const { result, sampledKb } = await buildInFreshProcess(stored);
  const mib = (kb: number) => kb / 1024;
  const volumeMiB = result.volumeBytes / MiB;
  const peakMiB = mib(Math.max(result.hwmKb, sampledKb));
  console.log(`\nVolume: ${result.dims.join(' x ')} voxels, spacing ${result.spacing.map((s) => s.toFixed(2)).join(' x ')} mm, Int16 HU, ${volumeMiB.toFixed(1)} MiB`);
  console.log(`  from ${series.count} stored files (${(series.bytes / MB).toFixed(1)} MB) in a fresh process`);
  console.log(`  build time               ${result.seconds.toFixed(2)} s (${(series.count / result.seconds).toFixed(0)} slices/s)`);
  console.log(`  RSS before the build     ${mib(result.rssBeforeKb).toFixed(1)} MiB`);
  console.log(`  VmHWM after the build    ${mib(result.hwmKb).toFixed(1)} MiB`);
  console.log(`  highest sampled VmRSS    ${mib(sampledKb).toFixed(1)} MiB (every 50 ms)`);
  const ratio = peakMiB / volumeMiB;
  console.log(`\nbar: peak RSS <= ${BAR_RSS_TO_VOLUME}x the volume (${(BAR_RSS_TO_VOLUME * volumeMiB).toFixed(0)} MiB)   ${peakMiB.toFixed(1)} MiB = ${ratio.toFixed(2)}x   ${ratio <= BAR_RSS_TO_VOLUME ? 'PASS' : 'FAIL'}`);
}

const buildIndex = process.argv.indexOf('--build');
try {
  if (buildIndex >= 0) await buildInThisProcess(JSON.parse(process.argv[buildIndex + 1] ?? '{}') as StoredSeries);
  else await main();
} catch (err) {
  console.error(`\nbench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}
