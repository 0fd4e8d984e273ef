import type { Finding, Measurement, PatientPoint } from '../../domain/finding.js';
import { CONCEPTS, LATERALITY_CODES, MODEL_HASH_PARAMETER, PRESENCE_CODES, TEMPLATES, UCUM_PERCENT } from '../../domain/sr-codes.js';
import type { SourceImage } from '../result-document.js';
import { SEGMENTATION_CLASS, type SegmentReference } from '../seg/binary-segmentation.js';
import { frameOfReferenceOf } from './report-checks.js';
import { codeContentItem, containerItem, imageItem, numItem, scoord3dItem, textItem, uidrefItem, type Item } from './sr-content-items.js';

/**
 * One finding as a Measurement Group: TID 1411 Volumetric ROI Measurements when it has a mask or
 * a volume, TID 1501 otherwise (docs/adr/0020-result-objects.md). Pure.
 */

export interface GroupContext {
  /** Tracking Identifier (human readable) and Tracking Unique Identifier of the finding. */
  trackingId: string;
  trackingUid: string;
  sources: readonly SourceImage[];
  /** Where the finding lies in the SEG written beside the SR. */
  segment?: SegmentReference;
}

/** TID 4019 Algorithm Identification: name, version and, for a model-backed analyzer, the model file's hash. */
function algorithmItems(name: string, version: string, modelHash?: string): Item[] {
  return [
    textItem('HAS CONCEPT MOD', CONCEPTS.algorithmName, name),
    textItem('HAS CONCEPT MOD', CONCEPTS.algorithmVersion, version),
    ...(modelHash ? [textItem('HAS CONCEPT MOD', CONCEPTS.algorithmParameters, `${MODEL_HASH_PARAMETER}${modelHash}`)] : []),
  ];
}

/** Finding Site with its Laterality; a laterality without a site stands alone. */
function siteItems(finding: Finding): Item[] {
  const laterality = finding.laterality ? [codeContentItem('HAS CONCEPT MOD', CONCEPTS.laterality, LATERALITY_CODES[finding.laterality])] : [];
  if (!finding.site) return laterality;
  return [codeContentItem('HAS CONCEPT MOD', CONCEPTS.findingSite, finding.site, laterality)];
}

/** The source images (IMAGE items) and, for a reference to a whole series, its Series Instance UID. */
function imageItems(finding: Finding, sources: readonly SourceImage[]): Item[] {
  const classes = new Map(sources.map((s) => [s.sopInstanceUid, s.sopClassUid]));
  return (finding.location?.images ?? []).map((image) =>
    image.sopInstanceUid === undefined
      ? uidrefItem('CONTAINS', CONCEPTS.seriesInstanceUid, image.seriesUid)
      : imageItem('CONTAINS', CONCEPTS.source, { sopClassUid: classes.get(image.sopInstanceUid) ?? '', sopInstanceUid: image.sopInstanceUid, ...(image.frame === undefined ? {} : { frame: image.frame }) }),
  );
}

/** TID 1411 rows 7 and 12: the segment of the SEG that holds the finding's mask, and the series it segments. */
function segmentItems(segment: SegmentReference | undefined): Item[] {
  if (!segment) return [];
  return [
    imageItem('CONTAINS', CONCEPTS.referencedSegment, { sopClassUid: SEGMENTATION_CLASS, sopInstanceUid: segment.sopInstanceUid, segment: segment.segmentNumber }),
    uidrefItem('CONTAINS', CONCEPTS.sourceSeriesForSegmentation, segment.sourceSeriesUid),
  ];
}

/** The ellipsoid inscribed in an axis-aligned box: the end points of its three axes, whose bounding box is the box. */
export function inscribedEllipsoid([min, max]: [PatientPoint, PatientPoint]): PatientPoint[] {
  const centre = [0, 1, 2].map((a) => ((min[a] ?? 0) + (max[a] ?? 0)) / 2) as PatientPoint;
  return [0, 1, 2].flatMap((a) => [min, max].map((end) => centre.map((c, b) => (b === a ? (end[b] ?? 0) : c)) as PatientPoint));
}

/** Volume Surface (the box as the ellipsoid inscribed in it) and Center (the point), in patient space. */
function coordinateItems(finding: Finding, sources: readonly SourceImage[]): Item[] {
  const location = finding.location;
  const frameOfReferenceUid = frameOfReferenceOf(finding, sources);
  if (!location || !frameOfReferenceUid) return [];
  return [
    ...(location.box ? [scoord3dItem('CONTAINS', CONCEPTS.volumeSurface, 'ELLIPSOID', inscribedEllipsoid(location.box), frameOfReferenceUid)] : []),
    ...(location.point ? [scoord3dItem('CONTAINS', CONCEPTS.center, 'POINT', [location.point], frameOfReferenceUid)] : []),
  ];
}

/** A measurement (TID 300) with its method as the algorithm (TID 4019) that made it. */
function measurementItem(m: Measurement, version: string): Item {
  return numItem('CONTAINS', m.concept, m.value, m.unit, m.method === undefined ? [] : algorithmItems(m.method, version));
}

/** A fraction as a percentage, to 12 significant digits so that 0.57 is written 57 and reads back 0.57. */
const percent = (fraction: number): number => Number((fraction * 100).toPrecision(12));

const isVolumetric = (finding: Finding): boolean => finding.mask !== undefined || finding.measurements.some((m) => m.concept.scheme === CONCEPTS.volume.scheme && m.concept.value === CONCEPTS.volume.value);

export function measurementGroup(finding: Finding, context: GroupContext): Item {
  const { source } = finding;
  const children: Item[] = [
    textItem('HAS OBS CONTEXT', CONCEPTS.trackingIdentifier, context.trackingId),
    uidrefItem('HAS OBS CONTEXT', CONCEPTS.trackingUid, context.trackingUid),
    codeContentItem('CONTAINS', CONCEPTS.finding, finding.type),
    ...algorithmItems(source.id, source.version, source.modelHash),
    ...siteItems(finding),
    ...imageItems(finding, context.sources),
    ...segmentItems(context.segment),
    ...coordinateItems(finding, context.sources),
    ...finding.measurements.map((m) => measurementItem(m, source.version)),
    ...(finding.confidence === undefined ? [] : [numItem('CONTAINS', CONCEPTS.certaintyOfFinding, percent(finding.confidence), UCUM_PERCENT)]),
    codeContentItem('CONTAINS', finding.type, PRESENCE_CODES[finding.presence]),
  ];
  return containerItem('CONTAINS', CONCEPTS.measurementGroup, children, isVolumetric(finding) ? TEMPLATES.volumetricRoi : TEMPLATES.measurementGroup);
}
