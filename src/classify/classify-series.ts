import { bodyRegionFromAttributes, regionsByTypicalExtents, type BodyRegion, type RegionSegment } from './body-region.js';
import { classified, type Classified } from './classification.js';
import { classifyContrastPhase, classifyKernel, classifyReconstruction, type ContrastPhase, type Kernel, type Reconstruction } from './ct-reconstruction.js';
import {
  classifyFastWindow,
  classifyLaterality,
  classifyRadiographBodyPart,
  classifyUltrasoundKind,
  classifyView,
  type FastWindow,
  type Laterality,
  type RadiographBodyPart,
  type UltrasoundKind,
  type View,
} from './projection-and-ultrasound.js';
import type { SeriesFacts } from './series-facts.js';
import { bodyRegionFromContent, regionsFromContent, type SliceContent } from './slice-content.js';

export interface SeriesClassification {
  bodyRegion: Classified<BodyRegion>;
  /** CT series spanning several regions, split along patient z (head first). */
  regions: RegionSegment[];
  ct?: { kernel: Classified<Kernel>; contrastPhase: Classified<ContrastPhase>; reconstruction: Classified<Reconstruction> };
  radiograph?: { bodyPart: Classified<RadiographBodyPart>; view: Classified<View>; laterality: Classified<Laterality> };
  ultrasound?: { kind: Classified<UltrasoundKind>; fastWindow: Classified<FastWindow> };
  /** Where the header and the pixels disagree; the pixels win. */
  conflicts: string[];
}

const PROJECTION_MODALITIES = new Set(['CR', 'DX', 'RF', 'XA', 'DR']);
const MULTI_REGION_EXTENT_MM = 700;

const regionOfRadiograph: Record<RadiographBodyPart, BodyRegion> = {
  knee: 'extremity', hip: 'pelvis', pelvis: 'pelvis', 'full-leg': 'extremity', spine: 'spine', chest: 'chest',
  ankle: 'extremity', foot: 'extremity', hand: 'extremity', wrist: 'extremity', elbow: 'extremity', shoulder: 'extremity', unknown: 'unknown',
};

function ctRegions(facts: SeriesFacts, content: SliceContent[] | undefined, conflicts: string[]): { bodyRegion: Classified<BodyRegion>; regions: RegionSegment[] } {
  const fromHeader = bodyRegionFromAttributes(facts);
  if (content && content.length > 0) {
    const regions = regionsFromContent(content);
    const fromContent = bodyRegionFromContent(regions);
    if (fromHeader && fromContent.value !== 'unknown' && fromHeader.value !== fromContent.value) {
      conflicts.push(`header says ${fromHeader.value} (${fromHeader.evidence.map((e) => `${e.source} "${e.value}"`).join(', ')}) but the images show ${fromContent.value}`);
    }
    return { bodyRegion: fromContent.value === 'unknown' && fromHeader ? fromHeader : fromContent, regions };
  }
  const bodyRegion = fromHeader ?? classified<BodyRegion>('unknown', 'default', []);
  const spansRegions = facts.zRange && (bodyRegion.value === 'whole-body' || facts.zRange[1] - facts.zRange[0] >= MULTI_REGION_EXTENT_MM);
  return { bodyRegion, regions: spansRegions && facts.zRange ? regionsByTypicalExtents(facts.zRange) : [] };
}

/**
 * Classifies a series for routing: from its DICOM attributes first, from its pixels (slice
 * content of CT series) where given; every value carries its evidence.
 */
export function classifySeries(facts: SeriesFacts, content?: SliceContent[]): SeriesClassification {
  const conflicts: string[] = [];
  const modality = (facts.modality ?? '').toUpperCase();
  if (modality === 'CT') {
    return {
      ...ctRegions(facts, content, conflicts),
      ct: { kernel: classifyKernel(facts), contrastPhase: classifyContrastPhase(facts), reconstruction: classifyReconstruction(facts) },
      conflicts,
    };
  }
  if (PROJECTION_MODALITIES.has(modality)) {
    const bodyPart = classifyRadiographBodyPart(facts);
    return {
      bodyRegion: classified(regionOfRadiograph[bodyPart.value], bodyPart.basis, bodyPart.evidence),
      regions: [],
      radiograph: { bodyPart, view: classifyView(facts), laterality: classifyLaterality(facts) },
      conflicts,
    };
  }
  if (modality === 'US') {
    return {
      bodyRegion: bodyRegionFromAttributes(facts) ?? classified<BodyRegion>('abdomen', 'default', [{ source: 'Modality', value: 'US' }]),
      regions: [],
      ultrasound: { kind: classifyUltrasoundKind(facts), fastWindow: classifyFastWindow(facts) },
      conflicts,
    };
  }
  return { bodyRegion: bodyRegionFromAttributes(facts) ?? classified<BodyRegion>('unknown', 'default', []), regions: [], conflicts };
}
