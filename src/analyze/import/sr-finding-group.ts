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

/** A certainty as a fraction; a percentage is divided by 100 and rounded to 12 significant digits, so 57 % reads 0.57. */
function confidenceOf(node: ContentNode): number | undefined {
  if (!node.num) return undefined;
  const { value, unit } = node.num;
  const fraction = unit?.scheme === 'UCUM' && unit.value === '%' ? Number((value / 100).toPrecision(12)) : value;
  return fraction >= 0 && fraction <= 1 ? fraction : undefined;
}

/** How a measurement was made: its Measurement Method code's meaning, or the Algorithm Name (TID 4019) it names. */
function methodOf(node: ContentNode): string | undefined {
  const coded = node.children.find((c) => sameConcept(c.concept, CONCEPTS.measurementMethod) && c.code)?.code?.meaning;
  return coded ?? node.children.find((c) => sameConcept(c.concept, CONCEPTS.algorithmName) && c.text)?.text;
}

function measurementsOf(items: ContentNode[]): Measurement[] {
  return items.flatMap((n): Measurement[] => {
    if (n.valueType !== 'NUM' || !n.num || !n.concept || sameConcept(n.concept, CONCEPTS.certaintyOfFinding)) return [];
    const method = methodOf(n);
    return [{ concept: n.concept, value: n.num.value, unit: n.num.unit ?? NO_UNITS, ...(method ? { method } : {}) }];
  });
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

/** The patient points of one SCOORD3D or SCOORD item (the latter through the planes of the images it is selected from). */
function graphicPoints(node: ContentNode, r: GroupReading, images: ImageReference[]): PatientPoint[] {
  if (!node.graphic) return [];
  if (node.valueType === 'SCOORD3D') return tuplesOf(node.graphic.data, 3) as PatientPoint[];
  const points: PatientPoint[] = [];
  for (const source of node.children.filter((c) => c.valueType === 'IMAGE')) {
    images.push(...imageReferences(source, r));
    const plane = source.image && r.context.planes.get(source.image.sopInstanceUid);
    if (plane) points.push(...tuplesOf(node.graphic.data, 2).map(([column = 0, row = 0]) => patientPointOf(plane, column, row)));
  }
  return points;
}

/**
 * Images and patient points of the SCOORD, SCOORD3D, IMAGE (other than a Referenced Segment, which
 * names a SEG, not an image of the finding) and Series Instance UID items of the group. POINT
 * graphics give the point, other graphics the box around them; with only one kind, a single point
 * is a point and several are a box.
 */
function locationOf(r: GroupReading): FindingLocation | undefined {
  const images: ImageReference[] = [];
  const pointGraphics: PatientPoint[] = [];
  const regionGraphics: PatientPoint[] = [];
  for (const node of r.items) {
    if (node.valueType === 'IMAGE' && !sameConcept(node.concept, CONCEPTS.referencedSegment)) images.push(...imageReferences(node, r));
    if (node.valueType === 'UIDREF' && node.uid && sameConcept(node.concept, CONCEPTS.seriesInstanceUid)) images.push({ seriesUid: node.uid });
    (node.graphic?.type === 'POINT' ? pointGraphics : regionGraphics).push(...graphicPoints(node, r, images));
  }
  if (images.length === 0 && pointGraphics.length === 0 && regionGraphics.length === 0) return undefined;
  if (pointGraphics.length === 0 || regionGraphics.length === 0) return locationFromPoints(images, [...pointGraphics, ...regionGraphics], pointGraphics.length > 0);
  const { box } = locationFromPoints(images, regionGraphics, false);
  return { images, point: pointGraphics[0] as PatientPoint, ...(box ? { box } : {}) };
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
