import { classified, type Classified } from './classification.js';
import type { BodyRegion, RegionSegment } from './body-region.js';

/** What one axial CT slice holds, measured from its Hounsfield units. */
export interface SliceContent {
  z: number;
  /** Cross-section of the body (everything above −500 HU, plus lung), cm². */
  bodyAreaCm2: number;
  /** Lung-range pixels (−950 to −600 HU) as a share of the body cross-section. */
  lungFraction: number;
  /** Bone-range pixels (above 300 HU) as a share of the body cross-section. */
  boneFraction: number;
}

/** Measures one slice: `hu` holds rows × columns values, `pixelAreaMm2` the area of one pixel. */
export function measureSlice(z: number, hu: ArrayLike<number>, pixelAreaMm2: number): SliceContent {
  let body = 0;
  let lung = 0;
  let bone = 0;
  for (let i = 0; i < hu.length; i++) {
    const v = hu[i] ?? -1024;
    if (v > -500) body++;
    if (v > 300) bone++;
    if (v >= -950 && v <= -600) lung++;
  }
  const tissue = body + lung;
  return {
    z,
    bodyAreaCm2: (tissue * pixelAreaMm2) / 100,
    lungFraction: tissue === 0 ? 0 : lung / tissue,
    boneFraction: tissue === 0 ? 0 : bone / tissue,
  };
}

const LUNG_FRACTION_CHEST = 0.1;
const BONE_FRACTION_SKULL = 0.12;
const BONE_FRACTION_PELVIS = 0.06;
const HEAD_MAX_AREA_CM2 = 350;
/** The pelvis starts well below the lung bases; the lower ribs just below them are abdomen. */
const PELVIS_MIN_MM_BELOW_LUNGS = 150;

/**
 * The region one slice shows. `belowLungsMm` is how far the slice lies below the lowest lung
 * slice (negative above the lungs, undefined when the series shows no lungs).
 */
function sliceRegion(s: SliceContent, belowLungsMm: number | undefined, aboveLungs: boolean): BodyRegion {
  if (s.lungFraction >= LUNG_FRACTION_CHEST) return 'chest';
  if (s.bodyAreaCm2 < HEAD_MAX_AREA_CM2 && (aboveLungs || belowLungsMm === undefined)) {
    return s.boneFraction >= BONE_FRACTION_SKULL ? 'head' : 'cervical-spine';
  }
  if (aboveLungs) return 'chest';
  const pelvisPossible = belowLungsMm === undefined || belowLungsMm >= PELVIS_MIN_MM_BELOW_LUNGS;
  return pelvisPossible && s.boneFraction >= BONE_FRACTION_PELVIS ? 'pelvis' : 'abdomen';
}

/**
 * Splits a CT series into regions from its slices' content: lungs mark the chest, a bone ring over
 * a small cross-section the head (a small one without it the neck), wide bone well below the lungs
 * the pelvis. Slices are given in any order.
 */
export function regionsFromContent(slices: SliceContent[]): RegionSegment[] {
  const sorted = [...slices].sort((a, b) => b.z - a.z);
  const lungZ = sorted.filter((s) => s.lungFraction >= LUNG_FRACTION_CHEST).map((s) => s.z);
  const lungTop = lungZ.length > 0 ? Math.max(...lungZ) : undefined;
  const lungBottom = lungZ.length > 0 ? Math.min(...lungZ) : undefined;
  const segments: RegionSegment[] = [];
  for (const s of sorted) {
    const region = sliceRegion(s, lungBottom === undefined ? undefined : lungBottom - s.z, lungTop !== undefined && s.z > lungTop);
    const last = segments[segments.length - 1];
    if (last?.region === region) {
      last.zTo = s.z;
      continue;
    }
    segments.push({
      region,
      zFrom: s.z,
      zTo: s.z,
      evidence: [{ source: 'content', value: `lung ${s.lungFraction.toFixed(2)}, bone ${s.boneFraction.toFixed(2)}, cross-section ${s.bodyAreaCm2.toFixed(0)} cm² at z ${s.z}` }],
    });
  }
  return segments;
}

/** The series' region from its content: one region, or whole-body when it spans head or neck to abdomen or pelvis. */
export function bodyRegionFromContent(segments: RegionSegment[]): Classified<BodyRegion> {
  const regions = new Set(segments.map((s) => s.region));
  const evidence = segments.map((s) => ({ source: 'content', value: `${s.region} from z ${s.zFrom} to ${s.zTo}` }));
  const spansTrunk = regions.has('chest') && (regions.has('abdomen') || regions.has('pelvis'));
  if ((regions.has('head') || regions.has('cervical-spine')) && spansTrunk) return classified('whole-body', 'content', evidence);
  const longest = [...segments].sort((a, b) => b.zFrom - b.zTo - (a.zFrom - a.zTo))[0];
  return classified(longest?.region ?? 'unknown', longest ? 'content' : 'default', evidence);
}
