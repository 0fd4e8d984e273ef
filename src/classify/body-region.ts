import { classified, words, type Classified, type Evidence } from './classification.js';
import type { SeriesFacts } from './series-facts.js';

export type BodyRegion = 'head' | 'cervical-spine' | 'chest' | 'abdomen' | 'pelvis' | 'spine' | 'extremity' | 'whole-body' | 'unknown';

/** Body Part Examined defined terms (PS3.16 Annex L) and common description words, by region. */
const keywords: Array<[BodyRegion, string[]]> = [
  ['whole-body', ['WHOLEBODY', 'CHESTABDPELVIS', 'POLYTRAUMA', 'PANSCAN', 'WB', 'TRAUMASCAN', 'GANZKOERPER']],
  ['head', ['HEAD', 'BRAIN', 'SKULL', 'CRANIUM', 'CCT', 'KOPF', 'SCHAEDEL', 'NCCT', 'FACE', 'ORBIT']],
  ['cervical-spine', ['CSPINE', 'C-SPINE', 'NECK', 'HWS', 'CERVICAL']],
  ['chest', ['CHEST', 'THORAX', 'LUNG', 'THX', 'CTPA', 'HEART', 'RIBS']],
  ['pelvis', ['PELVIS', 'BECKEN', 'HIP', 'SACRUM']],
  ['abdomen', ['ABDOMEN', 'ABD', 'ABDOMENPELVIS', 'LIVER', 'KIDNEY']],
  ['spine', ['SPINE', 'TSPINE', 'LSPINE', 'BWS', 'LWS', 'SCOLIOSIS', 'WIRBELSAEULE']],
  ['extremity', ['KNEE', 'ANKLE', 'FOOT', 'HAND', 'WRIST', 'ELBOW', 'SHOULDER', 'LEG', 'ARM', 'FEMUR', 'TIBIA', 'HUMERUS', 'EXTREMITY', 'FOREARM']],
];

function regionOf(text: string | undefined): BodyRegion | undefined {
  const found = new Set(words(text).flatMap((w) => keywords.filter(([, list]) => list.includes(w)).map(([region]) => region)));
  if (found.size === 0) return undefined;
  if (found.has('whole-body') || (found.has('chest') && (found.has('abdomen') || found.has('pelvis')))) return 'whole-body';
  if (found.has('abdomen') && found.has('pelvis')) return 'abdomen';
  return [...found][0];
}

/** The region the header names: Body Part Examined first, then the descriptions and protocol. */
export function bodyRegionFromAttributes(facts: SeriesFacts): Classified<BodyRegion> | undefined {
  const sources: Array<[string, string | undefined]> = [
    ['BodyPartExamined', facts.bodyPartExamined],
    ['SeriesDescription', facts.seriesDescription],
    ['ProtocolName', facts.protocolName],
    ['StudyDescription', facts.studyDescription],
  ];
  for (const [source, value] of sources) {
    const region = regionOf(value);
    if (region && value) return classified(region, 'attributes', [{ source, value }]);
  }
  return undefined;
}

export interface RegionSegment {
  region: BodyRegion;
  /** Patient z range (mm), from > to: head first. */
  zFrom: number;
  zTo: number;
  evidence: Evidence[];
}

/**
 * Typical adult extents from the vertex (mm): head to the skull base, neck, chest to the
 * diaphragm, abdomen to the iliac crest, pelvis below. Used when a head-to-pelvis series has no
 * image measurements to split it by.
 */
const typicalExtentsFromVertex: Array<[BodyRegion, number]> = [
  ['head', 220],
  ['cervical-spine', 350],
  ['chest', 650],
  ['abdomen', 900],
  ['pelvis', Infinity],
];

/** Splits a series spanning several regions along z by typical extents from its top slice. */
export function regionsByTypicalExtents(zRange: [number, number]): RegionSegment[] {
  const [low, high] = zRange;
  const segments: RegionSegment[] = [];
  let from = 0;
  for (const [region, to] of typicalExtentsFromVertex) {
    const zFrom = high - from;
    const zTo = Math.max(low, high - to);
    if (zFrom <= low) break;
    segments.push({ region, zFrom, zTo, evidence: [{ source: 'zRange', value: `${from}-${Number.isFinite(to) ? to : 'end'} mm below the top slice (typical adult extents)` }] });
    from = to;
  }
  return segments;
}
