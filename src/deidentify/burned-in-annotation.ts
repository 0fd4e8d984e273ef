import { RadbridgeError } from '../domain/errors.js';
import { PIXEL_DATA, findElement, textElement, textOf, unsignedShortOf, withElement, type DicomObject } from './dicom-tree.js';

/**
 * Burned-in text: which images may carry it (docs/adr/0014-deidentification.md states the rule),
 * and blanking configured regions of their pixels, as DICOM pixel anonymizers do per device.
 */

const BURNED_IN_ANNOTATION = 0x00280301;
const MODALITY = 0x00080060;
const SOP_CLASS_UID = 0x00080016;
const MANUFACTURER = 0x00080070;
const MODEL_NAME = 0x00081090;
const ROWS = 0x00280010;
const COLUMNS = 0x00280011;
const SAMPLES_PER_PIXEL = 0x00280002;
const PLANAR_CONFIGURATION = 0x00280006;
const BITS_ALLOCATED = 0x00280100;
const NUMBER_OF_FRAMES = 0x00280008;

/** Modalities whose devices habitually write text into the pixels. */
const TEXT_IN_PIXELS_MODALITIES = new Set(['US', 'IVUS', 'OT', 'XC', 'ES', 'GM', 'SM', 'DOC']);
/** Ultrasound, ultrasound multi-frame and every Secondary Capture storage class (screen captures). */
const TEXT_IN_PIXELS_SOP_CLASS = /^1\.2\.840\.10008\.5\.1\.4\.1\.1\.(6\.[12]|3\.1|7(\.[1-4])?)$/;

/** A rectangle in pixels, from the top left corner (column x, row y). */
export interface CleaningRegion {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The regions to blank on images of one device, optionally of one image size. */
export interface PixelCleaningRule {
  manufacturer: string;
  modelName?: string;
  rows?: number;
  columns?: number;
  regions: CleaningRegion[];
}

/** Why an image may carry burned-in text, or undefined when it says it does not (or is no image at all). */
export function burnedInTextReason(object: DicomObject): string | undefined {
  const flag = textOf(object.dataset, BURNED_IN_ANNOTATION)?.toUpperCase();
  if (!findElement(object.dataset, PIXEL_DATA) || flag === 'NO') return undefined;
  if (flag === 'YES') return 'Burned In Annotation (0028,0301) is YES';
  const modality = textOf(object.dataset, MODALITY) ?? '';
  if (TEXT_IN_PIXELS_MODALITIES.has(modality)) return `modality ${modality} carries text in its pixels unless Burned In Annotation (0028,0301) says NO`;
  const sopClass = textOf(object.dataset, SOP_CLASS_UID) ?? '';
  if (TEXT_IN_PIXELS_SOP_CLASS.test(sopClass)) return `SOP class ${sopClass} carries text in its pixels unless Burned In Annotation (0028,0301) says NO`;
  return undefined;
}

function same(a: string | undefined, b: string): boolean {
  return (a ?? '').trim().toUpperCase() === b.trim().toUpperCase();
}

export function matchingRule(object: DicomObject, rules: readonly PixelCleaningRule[]): PixelCleaningRule | undefined {
  const manufacturer = textOf(object.dataset, MANUFACTURER);
  const model = textOf(object.dataset, MODEL_NAME);
  const rows = unsignedShortOf(object, ROWS);
  const columns = unsignedShortOf(object, COLUMNS);
  return rules.find(
    (r) =>
      same(manufacturer, r.manufacturer) &&
      (r.modelName === undefined || same(model, r.modelName)) &&
      (r.rows === undefined || r.rows === rows) &&
      (r.columns === undefined || r.columns === columns),
  );
}

function refuse(message: string): never {
  throw new RadbridgeError('DEIDENTIFICATION_REFUSED', message);
}

function describeDevice(object: DicomObject): string {
  const rows = unsignedShortOf(object, ROWS) ?? '?';
  const columns = unsignedShortOf(object, COLUMNS) ?? '?';
  return `manufacturer "${textOf(object.dataset, MANUFACTURER) ?? ''}", model "${textOf(object.dataset, MODEL_NAME) ?? ''}", ${rows}x${columns}`;
}

/**
 * The object with every configured region zeroed in every frame and Burned In Annotation set to NO.
 * Refuses when no rule matches or the pixels are compressed: never a half-cleaned image.
 */
export function cleanBurnedInText(object: DicomObject, rules: readonly PixelCleaningRule[], reason: string): DicomObject {
  const rule = matchingRule(object, rules);
  if (!rule) refuse(`${reason}, and no pixel cleaning regions are configured for ${describeDevice(object)}`);
  const pixels = findElement(object.dataset, PIXEL_DATA);
  if (pixels?.kind !== 'value') {
    refuse(`${reason}; its pixel data is compressed (${object.syntax.name}) and is refused rather than cleaned in part: send it uncompressed`);
  }
  const rows = unsignedShortOf(object, ROWS) ?? 0;
  const columns = unsignedShortOf(object, COLUMNS) ?? 0;
  const samples = unsignedShortOf(object, SAMPLES_PER_PIXEL) ?? 1;
  const planar = unsignedShortOf(object, PLANAR_CONFIGURATION) ?? 0;
  const bitsAllocated = unsignedShortOf(object, BITS_ALLOCATED) ?? 0;
  const frames = Number.parseInt(textOf(object.dataset, NUMBER_OF_FRAMES) ?? '1', 10) || 1;
  if (![8, 16, 32].includes(bitsAllocated)) refuse(`${reason}; Bits Allocated ${bitsAllocated} cannot be cleaned by region`);
  const bytesPerSample = bitsAllocated / 8;
  const frameBytes = rows * columns * samples * bytesPerSample;
  if (rows === 0 || columns === 0 || pixels.value.length < frameBytes * frames) {
    refuse(`${reason}; its pixel data (${pixels.value.length} bytes) is shorter than ${frames} frame(s) of ${rows}x${columns}x${samples} at ${bitsAllocated} bits`);
  }
  const cleaned = Buffer.from(pixels.value);
  // Interleaved samples (planar 0) lie together in one run per row; planar 1 keeps one plane per sample.
  const planes = planar === 1 ? samples : 1;
  const run = planar === 1 ? bytesPerSample : samples * bytesPerSample;
  for (let frame = 0; frame < frames; frame++) {
    for (const region of rule.regions) {
      const x0 = Math.max(0, region.x);
      const x1 = Math.min(columns, region.x + region.width);
      if (x1 <= x0) continue;
      for (let y = Math.max(0, region.y); y < Math.min(rows, region.y + region.height); y++) {
        for (let plane = 0; plane < planes; plane++) {
          const rowStart = frame * frameBytes + plane * rows * columns * bytesPerSample + y * columns * run;
          cleaned.fill(0, rowStart + x0 * run, rowStart + x1 * run);
        }
      }
    }
  }
  return { ...object, dataset: withElement(withElement(object.dataset, { ...pixels, value: cleaned }), textElement(BURNED_IN_ANNOTATION, 'CS', 'NO')) };
}
