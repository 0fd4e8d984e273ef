import type { Code, Finding, Measurement } from '../../src/domain/finding.js';
import type { ResultForSummary } from '../../src/domain/injury-summary.js';
import { VOLUME } from '../../src/domain/trauma-codes.js';

/** Findings and stored-result shapes for the injury summary tests. */

export const BRAIN: Code = { scheme: 'SCT', value: '12738006', meaning: 'Brain structure' };
export const ML: Code = { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' };

export const volume = (value: number, unit: Code = ML): Measurement => ({ concept: VOLUME, value, unit });

export function finding(type: Code, o: Partial<Finding> & { series?: string } = {}): Finding {
  const { series = '1.2.3.1', ...rest } = o;
  return {
    type,
    presence: 'present',
    measurements: [],
    location: { images: [{ seriesUid: series }] },
    source: { id: 'x', version: '1', inputHash: 'h' },
    ...rest,
  };
}

export const result = (analyzerId: string, findings: Finding[], seriesUids = ['1.2.3.1']): ResultForSummary => ({ analyzerId, analyzerVersion: '1.0.0', seriesUids, findings });
