import type { Code, Finding, ImageReference, PatientPoint } from '../../domain/finding.js';
import { codeOf } from './coded-concepts.js';
import { firstItem, integersOf, itemsOf, numbersOf, textOf, type DicomObject, type JsonDict } from './dicom-object.js';
import { locationFromPoints, patientPointOf, tuplesOf } from './image-planes.js';
import type { ReadContext, ReadResult } from './read-context.js';
import { equipmentOf, sourceOf } from './source-device.js';

/**
 * Findings of a Grayscale Softcopy Presentation State's graphic annotations (PS3.3 C.10.5): one per
 * Graphic Annotation Sequence item, on the images it applies to. An item whose text or graphic
 * objects carry a Concept Code Sequence is a present finding of that code; any other is an
 * indeterminate finding whose type keeps the annotation's text, under the local scheme below,
 * since a free text is no code. Points in PIXEL units become patient points where the image's
 * plane is known; DISPLAY units are relative to the displayed area and give images only. Pure.
 */

/** A local coding scheme (PS3.16 8.3: designators starting with 99 are private) for uncoded annotation text. */
export const ANNOTATION_TEXT_SCHEME = '99RADBRIDGE';
export const ANNOTATION_TEXT_VALUE = 'annotation-text';

/** Every image the presentation state applies to, with its series. */
function seriesImages(dict: JsonDict): Map<string, string> {
  const series = new Map<string, string>();
  for (const s of itemsOf(dict, '00081115')) {
    const seriesUid = textOf(s, '0020000E');
    if (!seriesUid) continue;
    for (const image of itemsOf(s, '00081140')) {
      const uid = textOf(image, '00081155');
      if (uid) series.set(uid, seriesUid);
    }
  }
  return series;
}

function imagesOf(annotation: JsonDict, all: Map<string, string>): ImageReference[] {
  const refs = itemsOf(annotation, '00081140');
  const listed = refs.length > 0 ? refs : [...all.keys()].map((uid): JsonDict => ({ '00081155': { vr: 'UI', Value: [uid] } }));
  return listed.flatMap((ref): ImageReference[] => {
    const sopInstanceUid = textOf(ref, '00081155');
    const seriesUid = sopInstanceUid && all.get(sopInstanceUid);
    if (!sopInstanceUid || !seriesUid) return [];
    const frames = integersOf(ref, '00081160');
    return frames.length === 0 ? [{ seriesUid, sopInstanceUid }] : frames.map((frame) => ({ seriesUid, sopInstanceUid, frame }));
  });
}

function pixelPoints(annotation: JsonDict, images: ImageReference[], context: ReadContext): PatientPoint[] {
  const plane = images.length === 1 && images[0]?.sopInstanceUid ? context.planes.get(images[0].sopInstanceUid) : undefined;
  if (!plane) return [];
  const graphics = itemsOf(annotation, '00700009').filter((g) => textOf(g, '00700005') === 'PIXEL');
  const anchors = itemsOf(annotation, '00700008').filter((t) => textOf(t, '00700004') === 'PIXEL');
  const coordinates = [
    ...graphics.flatMap((g) => tuplesOf(numbersOf(g, '00700022', 'GraphicData'), 2)),
    ...anchors.flatMap((t) => tuplesOf(numbersOf(t, '00700014', 'AnchorPoint'), 2)),
  ];
  return coordinates.map(([column = 0, row = 0]) => patientPointOf(plane, column, row));
}

function annotationType(annotation: JsonDict, text: string): { type: Code; coded: boolean } {
  const objects = [...itemsOf(annotation, '00700008'), ...itemsOf(annotation, '00700009')];
  const code = objects.map((o) => codeOf(firstItem(o, '0040A168'))).find((c) => c !== undefined);
  if (code) return { type: code, coded: true };
  const layer = textOf(annotation, '00700002') ?? '';
  return { type: { scheme: ANNOTATION_TEXT_SCHEME, value: ANNOTATION_TEXT_VALUE, meaning: text || `graphic annotation without text (layer ${layer})` }, coded: false };
}

export function readPresentationState(object: DicomObject, context: ReadContext): ReadResult {
  const { dict } = object;
  const annotations = itemsOf(dict, '00700001');
  if (annotations.length === 0) return { findings: [], notes: ['the presentation state has no graphic annotations (Graphic Annotation Sequence (0070,0001) is absent or empty)'] };
  const all = seriesImages(dict);
  const source = sourceOf(equipmentOf(dict), context.importer, context.inputHash);
  const notes: string[] = [];
  const findings: Finding[] = [];
  annotations.forEach((annotation, n) => {
    const texts = itemsOf(annotation, '00700008').flatMap((t) => textOf(t, '00700006') ?? []);
    const graphics = itemsOf(annotation, '00700009');
    if (texts.length === 0 && graphics.length === 0) {
      notes.push(`graphic annotation ${n + 1} holds neither text nor graphics`);
      return;
    }
    const images = imagesOf(annotation, all);
    if (images.length === 0) notes.push(`graphic annotation ${n + 1} refers to no image in the Referenced Series Sequence`);
    const { type, coded } = annotationType(annotation, texts.join(' '));
    const points = pixelPoints(annotation, images, context);
    const single = graphics.length === 1 && textOf(graphics[0] ?? {}, '00700023') === 'POINT';
    findings.push({
      type,
      presence: coded ? 'present' : 'indeterminate',
      measurements: [],
      ...(images.length > 0 || points.length > 0 ? { location: locationFromPoints(images, points, single) } : {}),
      source,
    });
  });
  if (findings.length === 0) notes.push('no graphic annotation holds text or graphics');
  return { findings, notes };
}
