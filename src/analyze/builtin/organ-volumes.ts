import type { AnalyzerIdentity, Finding } from '../../domain/finding.js';
import { maskVolumetry } from '../../imaging/mask-volumetry.js';
import type { AnalysisInput } from '../analyzer.js';
import { readResultSeries } from '../import/third-party-results.js';
import { UCUM_ML, VOLUME, organOf } from './abdomen-codes.js';

/**
 * Organ volumes from a segmentation sent beside the CT: the third-party SEG reader turns each
 * segment into a finding with its mask; the liver, spleen and kidney segments become volume
 * findings of this analyzer, the volume the reader measured (or, without one, the mask's set
 * voxels times the voxel volume of its grid).
 */
export async function organVolumes(input: AnalysisInput, source: AnalyzerIdentity, signal: AbortSignal): Promise<{ findings: Finding[]; notes: string[] }> {
  const segSeries = input.series.filter((s) => s.modality.toUpperCase() === 'SEG');
  if (segSeries.length === 0) return { findings: [], notes: [] };
  const others = input.series.filter((s) => s.modality.toUpperCase() !== 'SR' && s.modality.toUpperCase() !== 'PR');
  const read = await readResultSeries({ ...input, series: others }, { id: source.id, version: source.version }, signal);
  const findings = read.findings.flatMap((f): Finding[] => {
    const organ = organOf([f.type, f.site], f.laterality);
    if (!organ || f.presence !== 'present') return [];
    const measured = f.measurements.find((m) => m.concept.value === VOLUME.value && m.unit.value === 'mL')?.value;
    const volumeMl = measured ?? (f.mask ? maskVolumetry(f.mask).volumeMl : undefined);
    if (volumeMl === undefined) return [];
    return [{
      type: organ.site,
      presence: 'present',
      site: organ.site,
      ...(organ.laterality ? { laterality: organ.laterality } : {}),
      measurements: [{ concept: VOLUME, value: volumeMl, unit: UCUM_ML, method: measured === undefined ? 'voxel count of the mask' : 'voxel count (segmentation)' }],
      ...(f.location ? { location: f.location } : {}),
      ...(f.mask ? { mask: f.mask } : {}),
      source: { ...source, inputHash: input.inputHash },
    }];
  });
  return { findings, notes: read.notes };
}
