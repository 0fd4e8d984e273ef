/**
 * Accuracy of the reference trauma analyzers on synthetic studies with known truth (docs/benchmarks.md,
 * "Accuracy"): for each injected finding, true vs measured volume and side; for each normal control,
 * the findings reported (there should be none). Several seeds per kind.
 *
 *   npm run bench:accuracy
 *   BENCH_SEEDS=1,2,3,4,5,6 BENCH_MATRIX=256 npm run bench:accuracy
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Analyzer } from '../src/analyze/analyzer.js';
import { declaredApplicability } from '../src/analyze/applicability.js';
import { createAnalyzer as abdomenCt } from '../src/analyze/builtin/abdomen-ct.js';
import { createAnalyzer as chestCt } from '../src/analyze/builtin/chest-ct.js';
import { createAnalyzer as headCt } from '../src/analyze/builtin/head-ct.js';
import type { Finding } from '../src/domain/finding.js';
import type { CtKind } from '../src/synth/ct-study.js';
import type { CtFindingType } from '../src/synth/ground-truth.js';
import { writeChestStudy } from '../test/support/chest-study.js';

const SEEDS = (process.env.BENCH_SEEDS ?? '1,2,3,4').split(',').map(Number);
const CONTROL_SEEDS = [1, 2];
const MATRIX = Number(process.env.BENCH_MATRIX ?? 256);
const BAR_MIN_ML = 5;
const BAR_ERROR = 0.1;

const cases: Array<{ kind: CtKind; analyzer: () => Analyzer; types: CtFindingType[] }> = [
  { kind: 'trauma-ct-head', analyzer: () => headCt({}), types: ['intracranial-haemorrhage'] },
  { kind: 'trauma-ct-chest', analyzer: () => chestCt(), types: ['pneumothorax', 'haemothorax'] },
  { kind: 'trauma-ct-abdomen', analyzer: () => abdomenCt(), types: ['haemoperitoneum', 'pelvic-free-fluid'] },
];

const millilitres = (f: Finding): number | undefined => f.measurements.find((m) => m.unit.value === 'mL' && !m.method?.includes('ABC') && !m.method?.toLowerCase().includes('mergo'))?.value;

async function findingsOf(analyzer: Analyzer, kind: CtKind, seed: number, normal: boolean, dir: string) {
  const { input, truth } = writeChestStudy(kind, path.join(dir, `${kind}-${seed}-${normal ? 'normal' : 'finding'}`), { seed, normal, matrix: MATRIX, thicknessMm: 5 });
  const { series } = declaredApplicability(analyzer.description.inputs, input);
  const { findings } = await analyzer.analyze({ ...input, series }, new AbortController().signal);
  return { present: findings.filter((f) => f.presence === 'present' && millilitres(f) !== undefined), truth };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'radbridge-accuracy-'));
  const rows: string[][] = [['kind', 'seed', 'finding', 'true side', 'found side', 'true mL', 'measured mL', 'error', 'bar']];
  let failures = 0;
  try {
    for (const c of cases) {
      const analyzer = c.analyzer();
      for (const seed of SEEDS) {
        const { present, truth } = await findingsOf(analyzer, c.kind, seed, false, dir);
        const unmatched = [...present];
        for (const t of truth.findings.filter((f) => c.types.includes(f.type))) {
          const candidates = unmatched.filter((f) => (f.laterality ?? 'midline') === t.side);
          const found = candidates.sort((a, b) => Math.abs((millilitres(a) ?? 0) - t.volumeMl) - Math.abs((millilitres(b) ?? 0) - t.volumeMl))[0];
          if (found) unmatched.splice(unmatched.indexOf(found), 1);
          const measured = found ? millilitres(found) : undefined;
          const error = measured === undefined ? undefined : (measured - t.volumeMl) / t.volumeMl;
          const ok = found !== undefined && (t.volumeMl < BAR_MIN_ML || Math.abs(error ?? 1) <= BAR_ERROR);
          if (!ok) failures++;
          rows.push([c.kind, String(seed), t.type, t.side, found?.laterality ?? 'not found', t.volumeMl.toFixed(1), measured?.toFixed(1) ?? '-', error === undefined ? '-' : `${(error * 100).toFixed(1)}%`, ok ? 'met' : 'NOT met']);
        }
      }
      for (const seed of CONTROL_SEEDS) {
        const { present } = await findingsOf(analyzer, c.kind, seed, true, dir);
        if (present.length > 0) failures++;
        rows.push([c.kind, String(seed), 'normal control', '-', present.map((f) => f.laterality ?? 'midline').join(',') || 'none', '0', present.map((f) => millilitres(f)?.toFixed(1)).join(',') || '-', '-', present.length === 0 ? 'met' : 'NOT met']);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`synthetic studies at ${MATRIX}x${MATRIX}, 5 mm slices; seeds ${SEEDS.join(', ')}; controls ${CONTROL_SEEDS.join(', ')}`);
  console.log(`bar: volumes within ±${BAR_ERROR * 100}% for findings of ${BAR_MIN_ML} mL or more, side always right, nothing on the normal controls\n`);
  const widths = rows[0]?.map((_c, n) => Math.max(...rows.map((r) => r[n]?.length ?? 0))) ?? [];
  for (const r of rows) console.log(r.map((cell, n) => cell.padEnd(widths[n] ?? 0)).join('  '));
  console.log(`\n${failures === 0 ? 'every row meets the bar' : `${failures} row(s) do not meet the bar`}`);
}

await main();
