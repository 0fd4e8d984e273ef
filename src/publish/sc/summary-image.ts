import { RadbridgeError } from '../../domain/errors.js';
import type { Finding } from '../../domain/finding.js';
import { burnOutline, burnText } from '../../imaging/burn-in.js';
import { applyWindow } from '../../imaging/windowing.js';
import { maskSlices } from '../../imaging/mask-slices.js';
import { codeItem, dcmCode } from '../coded-items.js';
import { keyImagesOf } from '../kos/key-images.js';
import type { ResultDocument, SourceImage } from '../result-document.js';
import { resultHeader } from '../result-header.js';
import { resultUid } from '../result-uids.js';
import { maskSources } from '../seg/mask-sources.js';

/**
 * A Secondary Capture image (PS3.3 A.8.1) for a PACS that shows no SEG, SR or KOS: the first key
 * image of the result, windowed to 8 bits, with the outline of every mask on that slice and a line
 * of text per present finding burnt in (Burned In Annotation YES), derived from the source image.
 * The caller decodes the key image (summaryImageSource names it). Pure.
 */

export const SECONDARY_CAPTURE_CLASS = '1.2.840.10008.5.1.4.1.1.7';
export const SC_SERIES_NUMBER = 9904;

const SOURCE_IMAGE_PURPOSE = dcmCode('121322', 'Source image for image processing operation');
const SEGMENTATION_DERIVATION = dcmCode('113076', 'Segmentation');

export interface KeySlicePixels {
  /** The image shown: summaryImageSource(doc). */
  sopInstanceUid: string;
  /** Its modality values (e.g. HU), row by row. */
  values: ArrayLike<number>;
  window: { center: number; width: number };
}

/** The source image the summary shows: the first key image of the result; undefined when there is none. */
export function summaryImageSource(doc: ResultDocument): SourceImage | undefined {
  return keyImagesOf(doc)[0]?.image;
}

/** A finding's line: its type, side and first measurement. */
function lineOf(finding: Finding): string {
  const [m] = finding.measurements;
  const what = finding.laterality ? `${finding.type.meaning} (${finding.laterality})` : finding.type.meaning;
  return m ? `${what}: ${Math.round(m.value * 10) / 10} ${m.unit.value}` : what;
}

/** The text burnt in: the analyzer, then a line per present finding. */
export function summaryLines(doc: ResultDocument): string[] {
  return [`AI result: ${doc.analyzer.name} ${doc.analyzer.version}`, ...doc.findings.filter((f) => f.presence === 'present').map(lineOf)];
}

/** Glyph pixels are this many image pixels a side: about 1/256 of the width. */
export const textScale = (columns: number) => Math.max(1, Math.floor(columns / 256));

/** The mask of `finding` on the slice of `source`, when it has one there. */
function maskOn(finding: Finding, source: SourceImage, doc: ResultDocument): Uint8Array | undefined {
  const { mask } = finding;
  if (!mask || mask.seriesUid !== source.seriesUid) return undefined;
  const k = maskSources(mask, doc.sources, finding.type.meaning).slices.findIndex((s) => s.sopInstanceUid === source.sopInstanceUid);
  return maskSlices(mask).get(k);
}

/** The summary image of a result, or undefined when it has no key image; refuses pixels of another image or size. */
export function summaryImage(doc: ResultDocument, slice: KeySlicePixels): Record<string, unknown> | undefined {
  const source = summaryImageSource(doc);
  if (!source) return undefined;
  if (slice.sopInstanceUid !== source.sopInstanceUid) throw new RadbridgeError('RESULT_DOCUMENT_INVALID', `the summary shows key image ${source.sopInstanceUid}, not ${slice.sopInstanceUid}`);
  const { rows, columns } = source;
  if (!rows || !columns) throw new RadbridgeError('RESULT_DOCUMENT_INVALID', `key image ${source.sopInstanceUid} has no Rows or Columns`);
  if (slice.values.length !== rows * columns) throw new RadbridgeError('RESULT_DOCUMENT_INVALID', `key image ${source.sopInstanceUid} is ${columns} x ${rows}, its pixels hold ${slice.values.length} values`);
  const present = doc.findings.filter((f) => f.presence === 'present');
  const image = applyWindow(slice.values, slice.window);
  for (const finding of present) {
    const mask = maskOn(finding, source, doc);
    if (mask) burnOutline(image, mask, columns, rows);
  }
  burnText(image, columns, rows, summaryLines(doc), textScale(columns));
  const pixels = new Uint8Array(image.length + (image.length % 2));
  pixels.set(image);
  return {
    ...resultHeader(doc, {
      sopClassUid: SECONDARY_CAPTURE_CLASS,
      sopInstanceUid: resultUid(doc.resultKey, `sc/instance/${doc.revision}`),
      seriesUid: resultUid(doc.resultKey, 'sc/series'),
      modality: 'OT',
      seriesNumber: SC_SERIES_NUMBER,
      seriesKind: 'AI summary',
    }),
    Laterality: '',
    ConversionType: 'WSD',
    ImageType: ['DERIVED', 'SECONDARY'],
    PatientOrientation: '',
    BurnedInAnnotation: 'YES',
    DerivationDescription: 'Key image with the outlines of the AI segmentation and the findings burnt in',
    DerivationCodeSequence: [codeItem(SEGMENTATION_DERIVATION)],
    SourceImageSequence: [{ ReferencedSOPClassUID: source.sopClassUid, ReferencedSOPInstanceUID: source.sopInstanceUid, PurposeOfReferenceCodeSequence: [codeItem(SOURCE_IMAGE_PURPOSE)] }],
    LossyImageCompression: '00',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    WindowCenter: 127.5,
    WindowWidth: 256,
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OB' },
  };
}
