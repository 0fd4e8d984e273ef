import { z } from 'zod';
import { RadbridgeError } from '../../domain/errors.js';
import { hyperdenseCollections, HYPERDENSE_DEFAULTS } from '../../imaging/hyperdense-collections.js';
import { intracranialSpace } from '../../imaging/intracranial-mask.js';
import { idealMidlineX, midlineShift } from '../../imaging/midline-shift.js';
import { voxelToPatient } from '../../imaging/volume.js';
import { PermanentJobError } from '../../jobs/job-engine.js';
import type { AnalysisInput, AnalysisOutput, AnalysisSeries, Analyzer, AnalyzerDescription, Applicability } from '../analyzer.js';
import { declaredApplicability } from '../applicability.js';
import { CODES, haemorrhageFinding, midlineShiftFinding, type FindingContext } from './head-ct-findings.js';
import { seriesVolume } from '../series-volume.js';

/**
 * The reference analyzer for non-contrast head CT (docs/adr/0016-head-ct-analyzer.md): intracranial
 * space inside the skull, acute hyperdense collections in it as haemorrhage candidates with their
 * volume by voxel count and by ABC/2, and the midline shift of the septum pellucidum. Thresholds
 * and geometry only, no learned weights. Load it with `{ url: <this module> }`; options may tune the
 * HU window, the smallest collection kept and the shift reported as present.
 */

const optionsSchema = z.strictObject({
  hyperdenseHu: z.tuple([z.number(), z.number()]).refine(([low, high]) => low < high, { message: 'hyperdenseHu must be [low, high] with low < high' }).optional(),
  minVolumeMl: z.number().positive().optional(),
  midlinePresentMm: z.number().positive().optional(),
});

export type HeadCtOptions = z.infer<typeof optionsSchema>;

export const HEAD_CT_ID = 'radbridge-head-ct';
export const HEAD_CT_VERSION = '1.0.0';

export const HEAD_CT_DESCRIPTION: AnalyzerDescription = {
  id: HEAD_CT_ID,
  version: HEAD_CT_VERSION,
  name: 'Head CT haemorrhage and midline shift (reference method)',
  intendedUse:
    'A reference method for testing and comparison, not cleared for clinical use: on non-contrast axial head CT in a soft-tissue (brain) kernel, ' +
    'it marks hyperdense intracranial collections as haemorrhage candidates with their volume, and estimates the midline shift of the septum pellucidum. ' +
    'It uses fixed HU thresholds: it does not tell blood from calcification or contrast, misses isodense (subacute) and thin collections along the skull, ' +
    'and gives no midline shift where the septum is not seen. Bone-kernel series do not apply.',
  manufacturer: 'Radbridge',
  inputs: { modalities: ['CT'], bodyRegions: ['head'], kernels: ['soft-tissue', 'unknown'], primaryAxialOnly: true, minInstances: 5 },
  produces: [
    { type: CODES.intracranialHaemorrhage, measurements: [CODES.volume] },
    { type: CODES.midlineShift, measurements: [CODES.distance] },
  ],
};



/** The series meeting the declared inputs that are non-contrast, and why the others are not. */
function usableSeries(input: AnalysisInput): Applicability & { series: AnalysisSeries[] } {
  const declared = declaredApplicability(HEAD_CT_DESCRIPTION.inputs, input);
  if (!declared.applicable) return declared;
  const series = declared.series.filter((s) => s.classification.ct?.contrastPhase.value === 'non-contrast');
  if (series.length > 0) return { applicable: true, reasons: series.map((s) => `series ${s.seriesUid} is a non-contrast head CT`), series };
  const reasons = declared.series.map((s) => `series ${s.seriesUid} is ${s.classification.ct?.contrastPhase.value ?? 'of unknown phase'}, not non-contrast`);
  return { applicable: false, reasons, series: [] };
}

/** A soft-tissue series before one of unknown kernel. */
function chooseSeries(series: readonly AnalysisSeries[]): AnalysisSeries | undefined {
  return series.find((s) => s.classification.ct?.kernel.value === 'soft-tissue') ?? series[0];
}

async function analyzeSeries(series: AnalysisSeries, input: AnalysisInput, o: HeadCtOptions, signal: AbortSignal): Promise<AnalysisOutput> {
  const built = await seriesVolume(series);
  signal.throwIfAborted();
  const { volume } = built;
  const space = intracranialSpace(volume);
  if (!space) throw new PermanentJobError(`series ${series.seriesUid} shows no space enclosed by skull: not a head CT, or the skull is not in the field of view`);
  signal.throwIfAborted();
  const centre = voxelToPatient(volume, [(volume.dims[0] - 1) / 2, (volume.dims[1] - 1) / 2, (volume.dims[2] - 1) / 2]);
  const context: FindingContext = {
    seriesUid: series.seriesUid,
    volume,
    sliceInstances: built.geometry.order.map((n) => series.instances[n]?.sopInstanceUid ?? ''),
    midlineX: idealMidlineX(volume, space.mask) ?? centre[0],
    source: { id: HEAD_CT_ID, version: HEAD_CT_VERSION, manufacturer: 'Radbridge', inputHash: input.inputHash },
  };
  const collections = hyperdenseCollections(volume, space.mask, {
    hu: o.hyperdenseHu ?? HYPERDENSE_DEFAULTS.hu,
    minVolumeMl: o.minVolumeMl ?? HYPERDENSE_DEFAULTS.minVolumeMl,
  });
  signal.throwIfAborted();
  const shift = midlineShift(volume, space.mask);
  return {
    findings: [
      ...collections.sort((a, b) => b.voxels - a.voxels).map((c) => haemorrhageFinding(c, context)),
      midlineShiftFinding(shift, o.midlinePresentMm ?? 3, context),
    ],
  };
}

export function createAnalyzer(options: unknown): Analyzer {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) throw new RadbridgeError('BAD_REQUEST', `the head CT analyzer's options are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'options'}: ${i.message}`).join('; ')}`);
  const o = parsed.data;
  return {
    description: HEAD_CT_DESCRIPTION,
    applicability(input: AnalysisInput): Applicability {
      const { applicable, reasons } = usableSeries(input);
      return { applicable, reasons };
    },
    async analyze(input: AnalysisInput, signal: AbortSignal): Promise<AnalysisOutput> {
      const applicable = usableSeries(input);
      const series = chooseSeries(applicable.series);
      if (!series) throw new PermanentJobError(`${HEAD_CT_ID}@${HEAD_CT_VERSION} does not apply: ${applicable.reasons.join('; ')}`);
      return analyzeSeries(series, input, o, signal);
    },
  };
}
