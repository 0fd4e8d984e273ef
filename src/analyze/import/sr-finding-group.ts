import type { Code, Finding, FindingLocation, ImageReference, Measurement, PatientPoint } from '../../domain/finding.js';
import { CONCEPTS, lateralityOf, presenceOf, sameConcept } from './coded-concepts.js';
import { locationFromPoints, patientPointOf, tuplesOf } from './image-planes.js';
import type { ReadContext } from './read-context.js';
import type { ContentNode } from './sr-content-tree.js';

/** One finding from the items of a measurement group (TID 1410/1411) or of a coded finding item (TID 4000-style CAD). Pure. */

export interface GroupReading {
  /** The coded finding type; the group's own value when the group is itself a CODE item. */
  type: Code;
  items: ContentNode[];
  /** SOP Instance UID → Series Instance UID from the document's evidence. */
  evidence: ReadonlyMap<string, string>;
  context: ReadContext;
  source: Finding['source'];
  notes: string[];
}

const NO_UNITS: Code = { scheme: 'UCUM', value: '1', meaning: 'no units' };

export const isFindingConcept = (concept: Code | undefined): boolean => sameConcept(concept, CONCEPTS.finding) || sameConcept(concept, CONCEPTS.singleImageFinding);

function confidenceOf(node: ContentNode): number | undefined {
  if (!node.num) return undefined;
  const { value, unit } = node.num;
  const fraction = unit?.scheme === 'UCUM' && unit.value === '%' ? value / 100 : value;
  return fraction >= 0 && fraction <= 1 ? fraction : undefined;
}

function measurementsOf(items: ContentNode[]): Measurement[] {
  return items.flatMap((n): Measurement[] =>
    n.valueType === 'NUM' && n.num && n.concept && !sameConcept(n.concept, CONCEPTS.certaintyOfFinding) ? [{ concept: n.concept, value: n.num.value, unit: n.num.unit ?? NO_UNITS }] : [],
  );
}

function imageReferences(node: ContentNode, r: GroupReading): ImageReference[] {
  const image = node.image;
  if (!image) return [];
  const seriesUid = r.evidence.get(image.sopInstanceUid) ?? r.context.planes.get(image.sopInstanceUid)?.seriesUid;
  if (!seriesUid) {
    r.notes.push(`image ${image.sopInstanceUid} is referenced but in no evidence series: left out of the location`);
    return [];
  }
  const frames = image.frames.length > 0 ? image.frames : [undefined];
  return frames.map((frame) => ({ seriesUid, sopInstanceUid: image.sopInstanceUid, ...(frame === undefined ? {} : { frame }) }));
}

/** Images and patient points of the SCOORD, SCOORD3D and IMAGE items of the group. */
function locationOf(r: GroupReading): FindingLocation | undefined {
  const images: ImageReference[] = [];
  const points: PatientPoint[] = [];
  let single = false;
  for (const node of r.items) {
    if (node.valueType === 'IMAGE') images.push(...imageReferences(node, r));
    if (!node.graphic) continue;
    single ||= node.graphic.type === 'POINT';
    if (node.valueType === 'SCOORD3D') {
      points.push(...(tuplesOf(node.graphic.data, 3) as PatientPoint[]));
      continue;
    }
    for (const source of node.children.filter((c) => c.valueType === 'IMAGE')) {
      images.push(...imageReferences(source, r));
      const plane = source.image && r.context.planes.get(source.image.sopInstanceUid);
      if (plane) points.push(...tuplesOf(node.graphic.data, 2).map(([column = 0, row = 0]) => patientPointOf(plane, column, row)));
    }
  }
  if (images.length === 0 && points.length === 0) return undefined;
  return locationFromPoints(images, points, single);
}

export function findingOfGroup(r: GroupReading): Finding {
  const siteNode = r.items.find((n) => n.valueType === 'CODE' && sameConcept(n.concept, CONCEPTS.findingSite));
  const lateralityNode = [...(siteNode?.children ?? []), ...r.items].find((n) => sameConcept(n.concept, CONCEPTS.laterality));
  const presence = r.items.map((n) => presenceOf(n.code)).find((p) => p !== undefined);
  const confidence = r.items.map((n) => (sameConcept(n.concept, CONCEPTS.certaintyOfFinding) ? confidenceOf(n) : undefined)).find((c) => c !== undefined);
  const laterality = lateralityOf(lateralityNode?.code);
  const location = locationOf(r);
  return {
    type: r.type,
    presence: presence ?? 'present',
    ...(siteNode?.code ? { site: siteNode.code } : {}),
    ...(laterality ? { laterality } : {}),
    measurements: measurementsOf(r.items),
    ...(confidence === undefined ? {} : { confidence }),
    ...(location ? { location } : {}),
    source: r.source,
  };
}
