import type { AnalyzerIdentity, Finding } from '../../domain/finding.js';
import { lateralityOfExtent } from '../../domain/laterality.js';
import { bodyMidlineX } from '../../imaging/body-midline.js';
import { regionGeometry } from '../../imaging/mask-volumetry.js';
import { type BuiltVolume } from '../../imaging/volume.js';
import type { AnalysisInput, AnalysisOutput, AnalysisSeries, Analyzer, Applicability } from '../analyzer.js';
import { seriesShortfalls } from '../applicability.js';
import { ASCITES, HAEMOPERITONEUM, KIDNEY, LEFT_KIDNEY, LIVER, PERITONEAL_CAVITY, RIGHT_KIDNEY, SPLEEN, UCUM_ML, VOLUME } from './abdomen-codes.js';
import { abdominalSliceRange } from './abdominal-range.js';
import { BLOOD_FROM_HU, FLUID_HU, MIN_VOLUME_ML, freeFluidCandidates, type FluidCandidate } from './free-fluid.js';
import { organVolumes } from './organ-volumes.js';
import { seriesVolume } from '../series-volume.js';

/**
 * A reference analyzer for abdomen/pelvis CT (docs/adr/0018-abdomen-and-volumetry.md): free fluid
 * and haemoperitoneum candidates by density on a contrast-enhanced series (an abdomen, pelvis or
 * pan-scan series, searched over its abdominal slices), and liver, spleen and kidney volumes from
 * a segmentation series given beside it.
 */

const VERSION = '1.0.0';
const INPUTS = { modalities: ['CT'], bodyRegions: ['abdomen' as const, 'pelvis' as const, 'whole-body' as const], minInstances: 10 };

export interface AbdomenCtOptions {
  /** Default 'abdomen-ct'. */
  id?: string;
}


/** The CT series to search: meeting the declared inputs and enhanced (unenhanced liver and spleen have blood's density). */
function candidateSeries(input: AnalysisInput): { series: AnalysisSeries[]; reasons: string[] } {
  const reasons: string[] = [];
  const series = input.series.filter((s) => {
    const short = seriesShortfalls(INPUTS, s);
    if (s.classification.ct?.contrastPhase.value === 'non-contrast') {
      short.push(`series ${s.seriesUid} is unenhanced: solid organs are told from blood by their enhancement, so an unenhanced series is not searched`);
    }
    reasons.push(...short);
    return short.length === 0;
  });
  return { series, reasons };
}

function applicability(input: AnalysisInput): Applicability {
  const { series, reasons } = candidateSeries(input);
  if (series.length > 0) return { applicable: true, reasons: series.map((s) => `series ${s.seriesUid} is an enhanced CT of the abdomen or pelvis`) };
  return { applicable: false, reasons: reasons.length > 0 ? reasons : ['no series to analyze'] };
}


function fluidFinding(c: FluidCandidate, built: BuiltVolume, series: AnalysisSeries, midlineX: number, source: Finding['source']): Finding {
  const { volume, geometry } = built;
  const { min, max, centroid, runs } = c.component;
  const where = regionGeometry(volume.patientFromVoxel, centroid, min, max);
  const images = [];
  for (let k = min[2]; k <= max[2]; k++) {
    const instance = series.instances[geometry.order[k] ?? k];
    if (instance) images.push({ seriesUid: series.seriesUid, sopInstanceUid: instance.sopInstanceUid });
  }
  return {
    type: c.blood ? HAEMOPERITONEUM : ASCITES,
    presence: 'present',
    site: PERITONEAL_CAVITY,
    laterality: lateralityOfExtent(where.box[0][0], where.box[1][0], midlineX),
    measurements: [{ concept: VOLUME, value: Math.round(c.volumeMl * 10) / 10, unit: UCUM_ML, method: `voxel count, ${FLUID_HU[0]}–${FLUID_HU[1]} HU after a 3x3 median; mean ${Math.round(c.meanHu)} HU` }],
    location: { images, point: where.centroid, box: where.box },
    mask: { seriesUid: series.seriesUid, dimensions: volume.dims, affine: [...volume.patientFromVoxel], runs },
    source,
  };
}

async function freeFluid(series: AnalysisSeries, source: Finding['source'], signal: AbortSignal): Promise<Finding[]> {
  const built = await seriesVolume(series);
  signal.throwIfAborted();
  const range = abdominalSliceRange(built.volume);
  if (!range) return [];
  const midlineX = bodyMidlineX(built.volume) ?? 0;
  return freeFluidCandidates(built.volume, range).map((c) => fluidFinding(c, built, series, midlineX, source));
}

export function createAnalyzer(options: AbdomenCtOptions = {}): Analyzer {
  const identity: AnalyzerIdentity = { id: options.id ?? 'abdomen-ct', version: VERSION, manufacturer: 'Radbridge' };
  return {
    description: {
      ...identity,
      name: 'Abdomen/pelvis CT: free fluid and organ volumes (reference method)',
      intendedUse:
        'A reference method, not cleared for clinical use. On a contrast-enhanced CT of the abdomen and pelvis (or the abdominal slices of a pan-scan), ' +
        `marks candidate free fluid by density (${FLUID_HU[0]}–${FLUID_HU[1]} HU; from ${BLOOD_FROM_HU} HU read as haemoperitoneum) outside enhanced solid organs ` +
        `and thick water-density organs, in connected regions of at least ${MIN_VOLUME_ML} mL, with volume, side and mask; and gives liver, spleen and kidney ` +
        'volumes from a segmentation series sent beside the CT. It does not segment bowel, muscle or the retroperitoneum; see ADR 18 for its limits.',
      inputs: INPUTS,
      produces: [HAEMOPERITONEUM, ASCITES, LIVER, SPLEEN, KIDNEY, LEFT_KIDNEY, RIGHT_KIDNEY].map((type) => ({ type, measurements: [VOLUME] })),
    },
    applicability,
    analyze: async (input: AnalysisInput, signal: AbortSignal): Promise<AnalysisOutput> => {
      const source = { ...identity, inputHash: input.inputHash };
      const findings: Finding[] = [];
      for (const series of candidateSeries(input).series) findings.push(...(await freeFluid(series, source, signal)));
      findings.push(...(await organVolumes(input, identity, signal)).findings);
      return { findings };
    },
  };
}
