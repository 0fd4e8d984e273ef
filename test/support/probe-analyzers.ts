import { readFileSync } from 'node:fs';
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
}

export function probeModule(options: ProbeOptions, limits: Pick<AnalyzerModule, 'timeoutMs' | 'memoryMb'> = {}): AnalyzerModule {
  return { url: new URL('./probe-analyzers.ts', import.meta.url).href, options, ...limits };
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
    },
    analyze: (input) => {
      switch (o.behaviour) {
        case 'finds':
          return Promise.resolve({
            findings: input.series.map((s) => ({
              type,
              presence: 'present' as const,
              measurements: [{ concept: { scheme: 'SCT', value: '118565006', meaning: 'Volume' }, value: s.instances.length, unit: { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' } }],
              location: { images: [{ seriesUid: s.seriesUid }] },
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
