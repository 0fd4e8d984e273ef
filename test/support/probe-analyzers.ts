import { readFileSync } from 'node:fs';
import type { AnalysisSeries } from '../../src/analyze/analyzer.js';
import type { Analyzer, AnalyzerModule } from '../../src/analyze/analyzer.js';
import { PermanentJobError } from '../../src/jobs/job-engine.js';

/** Analyzers for tests, loaded by the hub in worker threads like any analyzer module. */

export interface ProbeOptions {
  id: string;
  version?: string;
  behaviour: 'finds' | 'fails' | 'refuses' | 'spins' | 'exhausts-memory';
  modalities?: string[];
  /** A file whose text is the model hash, read each time the analyzer is loaded: rewriting it stands for a swapped model file. */
  modelHashFile?: string;
  /** Says it sends its input outside the hospital; its findings then tell what it was given. */
  remote?: boolean;
  /** A text whose presence in the input files the findings report (e.g. the patient's name). */
  watchFor?: string;
}

export function probeModule(options: ProbeOptions, limits: Pick<AnalyzerModule, 'timeoutMs' | 'memoryMb'> = {}): AnalyzerModule {
  return { url: new URL('./probe-analyzers.ts', import.meta.url).href, options, ...limits };
}

function holds(series: AnalysisSeries, text: string): boolean {
  return series.instances.some((i) => readFileSync(i.file).includes(text));
}

export function createAnalyzer(options: unknown): Analyzer {
  const o = options as ProbeOptions;
  const version = o.version ?? '1.0.0';
  const modelHash = o.modelHashFile ? readFileSync(o.modelHashFile, 'utf8').trim() : undefined;
  const type = { scheme: '99PROBE', value: o.id, meaning: `${o.id} probe finding` };
  return {
    description: {
      id: o.id,
      version,
      name: `${o.id} probe`,
      intendedUse: 'testing the analysis stage; not for clinical use',
      inputs: { modalities: o.modalities ?? ['CT'] },
      produces: [{ type }],
      ...(modelHash ? { modelHash } : {}),
      ...(o.remote ? { remote: true } : {}),
    },
    analyze: (input) => {
      switch (o.behaviour) {
        case 'finds':
          return Promise.resolve({
            findings: input.series.map((s) => ({
              type: o.watchFor === undefined ? type : { ...type, meaning: `input holds "${o.watchFor}": ${holds(s, o.watchFor)}` },
              site: { scheme: '99PROBE', value: input.studyUid, meaning: 'the study it was given' },
              presence: 'present' as const,
              measurements: [{ concept: { scheme: 'SCT', value: '118565006', meaning: 'Volume' }, value: s.instances.length, unit: { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' } }],
              location: { images: [{ seriesUid: s.seriesUid, ...(s.instances[0] ? { sopInstanceUid: s.instances[0].sopInstanceUid } : {}) }] },
              source: { id: o.id, version, inputHash: input.inputHash, ...(modelHash ? { modelHash } : {}) },
            })),
          });
        case 'fails':
          return Promise.reject(new Error('the model file is corrupt'));
        case 'refuses':
          return Promise.reject(new PermanentJobError('the series has no pixel spacing'));
        case 'spins':
          for (;;) {
            // A busy loop that ignores its signal: only stopping the worker thread ends it.
          }
        case 'exhausts-memory': {
          const hoard: number[][] = [];
          for (;;) hoard.push(Array.from({ length: 1_000_000 }, (_, i) => i));
        }
      }
    },
  };
}
