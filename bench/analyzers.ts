/**
 * Analyzer benchmark (docs/benchmarks.md, "Analyzers"): time and peak RSS of the reference trauma
 * analyzers on synthetic 512x512 CT, a 40-slice head and ~400-slice chest and abdomen series, each
 * analysis in a fresh process so its peak RSS is its own. Not a test.
 *
 *   npm run bench:analyzers
 *   BENCH_ROUNDS=5 npm run bench:analyzers
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dcmjs from 'dcmjs';
import type { AnalysisInput, Analyzer } from '../src/analyze/analyzer.js';
import { createAnalyzer as abdomenCt } from '../src/analyze/builtin/abdomen-ct.js';
import { createAnalyzer as chestCt } from '../src/analyze/builtin/chest-ct.js';
import { createAnalyzer as headCt } from '../src/analyze/builtin/head-ct.js';
import { seriesVolume } from '../src/analyze/series-volume.js';
import type { CtKind } from '../src/synth/ct-study.js';
import type { GroundTruth } from '../src/synth/ground-truth.js';
import { synthStudy } from '../src/synth/synth-study.js';
import { writeStudy } from '../src/synth/write-study.js';
import { writtenStudyInput } from '../test/support/chest-study.js';
import { machineFacts, MB, median, procStatusKb, repoRoot } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MATRIX = 512;
const SEED = 1;
const BAR_RSS_TO_VOLUME = 2;
const CACHE = path.join(os.tmpdir(), 'radbridge-bench-analyzers');

type AnalyzerName = 'head' | 'chest' | 'abdomen';

interface Case {
  analyzer: AnalyzerName;
  kind: CtKind;
  thicknessMm: number;
  barSeconds: number;
}

const CASES: Case[] = [
  { analyzer: 'head', kind: 'trauma-ct-head', thicknessMm: 5, barSeconds: 2 },
  { analyzer: 'chest', kind: 'trauma-ct-chest', thicknessMm: 0.75, barSeconds: 10 },
  { analyzer: 'abdomen', kind: 'trauma-ct-abdomen', thicknessMm: 1, barSeconds: 10 },
];

const ANALYZERS: Record<AnalyzerName, () => Analyzer> = { head: () => headCt({}), chest: () => chestCt(), abdomen: () => abdomenCt() };

/**
 * The study of a case, written once under CACHE (ground-truth.json, written last, marks it complete).
 * Only series 1 is kept: the soft-tissue series every CT plan starts with, the one the analyzers choose.
 */
function cachedStudy(c: Case): { dir: string; input: AnalysisInput } {
  const dir = path.join(CACHE, `${c.kind}-${MATRIX}-${c.thicknessMm}mm-seed${SEED}`);
  const truthFile = path.join(dir, 'ground-truth.json');
  if (!existsSync(truthFile)) {
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`writing ${c.kind} at ${c.thicknessMm} mm under ${CACHE} (once) ... `);
    const started = performance.now();
    const study = synthStudy(c.kind, { seed: SEED, matrix: MATRIX, normal: false, sliceThicknessMm: c.thicknessMm });
    const series = study.groundTruth.series.filter((s) => s.seriesNumber === 1);
    const kept = new Set(series.flatMap((s) => s.files));
    writeStudy({ objects: study.objects.filter((o) => kept.has(o.file)), groundTruth: { ...study.groundTruth, series } }, dir);
    console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as GroundTruth;
  return { dir, input: writtenStudyInput(truth, dir, `bench-seed-${SEED}`) };
}

interface ChildResult {
  seconds: number;
  maxRssKb: number;
  slices: number;
  findings: number;
}

/**
 * The child: does one thing (nothing, read the volume, or analyse) and prints one JSON line. Peak RSS
 * is VmHWM, which exec resets: getrusage's maxRSS (process.resourceUsage) keeps the high-water mark of
 * the parent that forked the child, which here has just held a generated study.
 */
async function runChild(mode: string, analyzer: AnalyzerName, inputFile: string): Promise<void> {
  let slices = 0;
  let findings = 0;
  const started = performance.now();
  if (mode !== 'idle') {
    const input = JSON.parse(readFileSync(inputFile, 'utf8')) as AnalysisInput;
    const [series] = input.series;
    if (!series) throw new Error('the bench input has no series');
    if (mode === 'read') slices = (await seriesVolume(series)).volume.dims[2];
    else findings = (await ANALYZERS[analyzer]().analyze(input, new AbortController().signal)).findings.length;
  }
  const result: ChildResult = { seconds: (performance.now() - started) / 1000, maxRssKb: procStatusKb(process.pid, 'VmHWM') ?? 0, slices, findings };
  console.log(JSON.stringify(result));
}

function inFreshProcess(mode: 'idle' | 'read' | 'analyze', analyzer: AnalyzerName, inputFile: string): Promise<ChildResult> {
  const args = ['--import', 'tsx', path.join(repoRoot, 'bench', 'analyzers.ts'), '--child', mode, analyzer, inputFile];
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) reject(new Error(`the ${mode} process exited with ${code}\n${out}`));
      else resolve(JSON.parse(out.trim().split('\n').pop() ?? '') as ChildResult);
    });
  });
}

async function main(): Promise<void> {
  console.log('Machine');
  for (const [name, value] of machineFacts()) console.log(`  ${name.padEnd(9)} ${value}`);
  console.log('');
  // dcmjs warns about the pixel data VR on every file it writes.
  (dcmjs as unknown as { log: { setLevel(level: string): void } }).log.setLevel('error');
  const studies = CASES.map((c) => ({ c, ...cachedStudy(c) }));
  const idle = await inFreshProcess('idle', 'head', '');
  const idleMb = (idle.maxRssKb * 1024) / MB;
  const rows: string[][] = [['study', 'slices', 'matrix', 'volume MB', 'read s', 'read above idle MB', 'analyze s', 'peak RSS MB', 'above idle MB', '(peak-idle)/volume', 'peak/volume', `time bar`, `RSS bar (${BAR_RSS_TO_VOLUME}x)`]];
  for (const { c, dir, input } of studies) {
    const inputFile = path.join(dir, 'bench-input.json');
    writeFileSync(inputFile, JSON.stringify(input));
    const reads: ChildResult[] = [];
    const analyses: ChildResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const read = await inFreshProcess('read', c.analyzer, inputFile);
      const analysis = await inFreshProcess('analyze', c.analyzer, inputFile);
      console.log(`${c.analyzer} round ${round + 1}: read ${read.seconds.toFixed(2)} s, analyze ${analysis.seconds.toFixed(2)} s, ${analysis.findings} findings`);
      reads.push(read);
      analyses.push(analysis);
    }
    const slices = reads[0]?.slices ?? 0;
    const volumeMb = (slices * MATRIX * MATRIX * 2) / MB;
    const analyzeSeconds = median(analyses.map((a) => a.seconds));
    const peakMb = (Math.max(...analyses.map((a) => a.maxRssKb)) * 1024) / MB;
    const readPeakMb = (Math.max(...reads.map((r) => r.maxRssKb)) * 1024) / MB;
    const ownRatio = (peakMb - idleMb) / volumeMb;
    rows.push([
      `${c.analyzer} (${c.kind}, ${c.thicknessMm} mm)`, String(slices), `${MATRIX}x${MATRIX}`, volumeMb.toFixed(1),
      median(reads.map((r) => r.seconds)).toFixed(2), (readPeakMb - idleMb).toFixed(0), analyzeSeconds.toFixed(2), peakMb.toFixed(0), (peakMb - idleMb).toFixed(0), ownRatio.toFixed(2), (peakMb / volumeMb).toFixed(2),
      `< ${c.barSeconds} s ${analyzeSeconds < c.barSeconds ? 'met' : 'NOT met'}`, ownRatio <= BAR_RSS_TO_VOLUME ? 'met' : 'NOT met',
    ]);
  }
  console.log(`\n${ROUNDS} round(s) per study, each read and each analysis in a fresh process; seconds are medians, peak RSS the largest of the rounds`);
  console.log(`idle child (same modules loaded, nothing done): ${idleMb.toFixed(0)} MB peak RSS\n`);
  const widths = rows[0]?.map((_c, n) => Math.max(...rows.map((r) => r[n]?.length ?? 0))) ?? [];
  for (const r of rows) console.log(r.map((cell, n) => cell.padEnd(widths[n] ?? 0)).join('  ').trimEnd());
}

const childIndex = process.argv.indexOf('--child');
try {
  if (childIndex >= 0) {
    const [mode = 'idle', analyzer = 'head', inputFile = ''] = process.argv.slice(childIndex + 1);
    await runChild(mode, analyzer as AnalyzerName, inputFile);
  } else await main();
} catch (err) {
  console.error(`\nbench failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
}
