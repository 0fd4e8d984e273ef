import type { AnalysisInput, AnalysisOutput, AnalysisSeries, Analyzer, AnalyzerDescription, Applicability } from '../analyzer.js';
import { declaredApplicability } from '../applicability.js';
import type { Finding } from '../../domain/finding.js';
import { PermanentJobError } from '../../jobs/job-engine.js';
import { bodyMidlineX } from '../../imaging/body-midline.js';
import { chestMasks } from '../../imaging/chest-masks.js';
import { pleuralAir, pleuralFluid, type Hemithorax } from '../../imaging/pleural-collections.js';
import { chestSlices, sliceRange } from './chest-slices.js';
import { HAEMOTHORAX, PNEUMOTHORAX, VOLUME, absentFinding, haemothoraxFinding, pneumothoraxFinding, type FindingContext } from './chest-findings.js';
import { seriesVolume } from '../series-volume.js';

/**
 * The reference chest CT analyzer: pneumothorax and haemothorax per side, by Hounsfield windows and
 * geometry, without learned weights (ADR 17). It analyses one axial CT series showing the chest
 * (a pan-scan only within its chest z-range), preferring a soft-tissue kernel.
 */

const ID = 'radbridge-chest-ct';
const VERSION = '1.0.0';

export const CHEST_CT_DESCRIPTION: AnalyzerDescription = {
  id: ID,
  version: VERSION,
  name: 'Radbridge reference chest CT: pneumothorax and haemothorax',
  intendedUse:
    'A reference method for testing and demonstrating the hub: pleural air and dependent pleural fluid on axial chest CT of a supine adult, ' +
    'by HU thresholds and an ellipsoidal pleural envelope (ADR 17). It is not cleared for clinical use and must not inform patient care.',
  manufacturer: 'Radbridge',
  inputs: { modalities: ['CT'], bodyRegions: ['chest'], primaryAxialOnly: true, minInstances: 3 },
  produces: [
    { type: PNEUMOTHORAX, measurements: [VOLUME] },
    { type: HAEMOTHORAX, measurements: [VOLUME] },
  ],
};



/** The series to analyse: a soft-tissue kernel first, then the one with most instances. */
function chosenSeries(candidates: readonly AnalysisSeries[]): AnalysisSeries | undefined {
  const rank = (s: AnalysisSeries): number => (s.classification.ct?.kernel.value === 'soft-tissue' ? 1 : 0);
  return [...candidates].sort((a, b) => rank(b) - rank(a) || b.instances.length - a.instances.length)[0];
}

function applicability(input: AnalysisInput): Applicability {
  const declared = declaredApplicability(CHEST_CT_DESCRIPTION.inputs, input);
  if (!declared.applicable) return declared;
  const series = chosenSeries(declared.series);
  return { applicable: true, reasons: [`series ${series?.seriesUid ?? ''} is analysed${series && sliceRange(series.classification) ? ' within its chest z-range' : ''}`] };
}

async function analyze(input: AnalysisInput, signal: AbortSignal): Promise<AnalysisOutput> {
  const declared = declaredApplicability(CHEST_CT_DESCRIPTION.inputs, input);
  const series = chosenSeries(declared.series);
  if (!series) throw new PermanentJobError(`no chest CT series to analyse: ${declared.reasons.join('; ')}`);
  const built = await seriesVolume(series);
  signal.throwIfAborted();
  const chest = chestSlices(built.volume, series.classification);
  if (!chest) throw new PermanentJobError(`series ${series.seriesUid} has no slices within its chest z-range`);
  const context: FindingContext = {
    placement: { seriesUid: series.seriesUid, seriesVolume: built.volume, firstSlice: chest.firstSlice, sliceInstances: built.geometry.order.map((n) => series.instances[n]?.sopInstanceUid ?? '') },
    source: { id: ID, version: VERSION, manufacturer: 'Radbridge', inputHash: input.inputHash },
  };
  const volume = chest.volume;
  const masks = chestMasks(volume, bodyMidlineX(volume) ?? 0);
  signal.throwIfAborted();
  const findings: Finding[] = [];
  const sides: Hemithorax[] = ['right', 'left'];
  for (const side of sides) {
    const air = pleuralAir(volume, masks, side);
    if (air) findings.push(pneumothoraxFinding(air, volume, context));
    signal.throwIfAborted();
  }
  for (const side of sides) {
    const fluid = pleuralFluid(volume, masks, side).collection;
    if (fluid) findings.push(haemothoraxFinding(fluid, volume, context));
    signal.throwIfAborted();
  }
  for (const type of [PNEUMOTHORAX, HAEMOTHORAX]) if (!findings.some((f) => f.type.value === type.value)) findings.push(absentFinding(type, context));
  return { findings };
}

export function createAnalyzer(): Analyzer {
  return { description: CHEST_CT_DESCRIPTION, applicability, analyze };
}
