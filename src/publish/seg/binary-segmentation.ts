import dcmjs from 'dcmjs';
import { RadbridgeError } from '../../domain/errors.js';
import type { Finding, FindingMask } from '../../domain/finding.js';
import { maskSlices } from '../../imaging/mask-slices.js';
import { codeItem, dcmCode } from '../coded-items.js';
import { findingTracking } from '../finding-tracking.js';
import type { ResultDocument } from '../result-document.js';
import { resultHeader } from '../result-header.js';
import { resultUid } from '../result-uids.js';
import { maskSources, type PlacedSource } from './mask-sources.js';
import { segmentDescription } from './segment-description.js';

/**
 * A binary Segmentation (PS3.3 A.51) of a result's masks, as a dcmjs naturalized data set: one
 * segment per present finding whose mask sets voxels, one frame per segment and source slice that
 * holds set voxels, each frame derived from its source image and placed at its position, bits
 * packed back to back across frames. Written by hand rather than with dcmjs.derivations.Segmentation
 * (docs/adr/0020-result-objects.md). Pure.
 */

export const SEGMENTATION_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';
export const SEG_SERIES_NUMBER = 9902;

const SOURCE_IMAGE_PURPOSE = dcmCode('121322', 'Source image for image processing operation');
const SEGMENTATION_DERIVATION = dcmCode('113076', 'Segmentation');
/** Tags the Dimension Index Sequence points at (PS3.3 C.7.6.17.1). */
const TAGS = { referencedSegmentNumber: 0x0062000b, segmentIdentificationSequence: 0x0062000a, imagePositionPatient: 0x00200032, planePositionSequence: 0x00209113 };
/** DS values computed here (spacing) are written to a micrometre. */
const round = (mm: number) => Math.round(mm * 1e6) / 1e6;

interface Segment {
  finding: Finding;
  /** The finding's index in the result's findings. */
  index: number;
  mask: FindingMask;
  slices: Map<number, Uint8Array>;
}

function segmentsOf(doc: ResultDocument): Segment[] {
  return doc.findings.flatMap((finding, index) => {
    const { mask } = finding;
    if (!mask || finding.presence !== 'present') return [];
    const slices = maskSlices(mask);
    return slices.size > 0 ? [{ finding, index, mask, slices }] : [];
  });
}

const segmentationUid = (doc: ResultDocument): string => resultUid(doc.resultKey, `seg/instance/${doc.revision}`);
const segmentationSeriesUid = (doc: ResultDocument): string => resultUid(doc.resultKey, 'seg/series');

/** Where a finding lies in the result's SEG: the object (and its series), its segment, and the series segmented. */
export interface SegmentReference {
  seriesUid: string;
  sopInstanceUid: string;
  segmentNumber: number;
  sourceSeriesUid: string;
}

/** The segment of each finding (by index) in the SEG `binarySegmentation(doc)` writes; the SR refers to them (TID 1411). */
export function segmentReferences(doc: ResultDocument): Map<number, SegmentReference> {
  const sopInstanceUid = segmentationUid(doc);
  const seriesUid = segmentationSeriesUid(doc);
  return new Map(segmentsOf(doc).map((s, n) => [s.index, { seriesUid, sopInstanceUid, segmentNumber: n + 1, sourceSeriesUid: s.mask.seriesUid }]));
}

/** Bit-packed pixel data of frames of `perFrame` pixels each, bit 0 of the first byte the first pixel (PS3.5 8.1.1), padded to an even length. */
function packFrames(frames: Uint8Array[], perFrame: number): ArrayBuffer {
  const bits = new Uint8Array(frames.length * perFrame);
  frames.forEach((frame, f) => bits.set(frame, f * perFrame));
  const packed = dcmjs.data.BitArray.pack(bits);
  const even = new Uint8Array(packed.length + (packed.length % 2));
  even.set(packed);
  return even.buffer;
}

function frameGroups(source: PlacedSource, segmentNumber: number, k: number): Record<string, unknown> {
  return {
    DerivationImageSequence: [
      {
        SourceImageSequence: [{ ReferencedSOPClassUID: source.sopClassUid, ReferencedSOPInstanceUID: source.sopInstanceUid, PurposeOfReferenceCodeSequence: [codeItem(SOURCE_IMAGE_PURPOSE)] }],
        DerivationCodeSequence: [codeItem(SEGMENTATION_DERIVATION)],
      },
    ],
    FrameContentSequence: [{ DimensionIndexValues: [segmentNumber, k + 1] }],
    PlanePositionSequence: [{ ImagePositionPatient: source.imagePositionPatient }],
    SegmentIdentificationSequence: [{ ReferencedSegmentNumber: segmentNumber }],
  };
}

/** The SEG of a result, or undefined when no present finding has a mask that sets a voxel. Refuses masks on several series, and a mask that does not fit its series' images. */
export function binarySegmentation(doc: ResultDocument): Record<string, unknown> | undefined {
  const segments = segmentsOf(doc);
  const [first] = segments;
  if (!first) return undefined;
  const seriesUid = first.mask.seriesUid;
  const other = segments.find((s) => s.mask.seriesUid !== seriesUid);
  if (other) throw new RadbridgeError('RESULT_DOCUMENT_INVALID', `the masks lie on series ${seriesUid} and ${other.mask.seriesUid}: one segmentation holds the masks of one series`);
  const placements = segments.map((s) => maskSources(s.mask, doc.sources, s.finding.type.meaning));
  const { slices: sources, spacingBetweenSlices } = placements[0] ?? { slices: [], spacingBetweenSlices: 0 };
  const [columns, rows] = first.mask.dimensions;
  const reference = sources[0] as PlacedSource;
  const perFrame: Record<string, unknown>[] = [];
  const frames: Uint8Array[] = [];
  segments.forEach((segment, n) => {
    for (const [k, pixels] of segment.slices) {
      perFrame.push(frameGroups(sources[k] as PlacedSource, n + 1, k));
      frames.push(pixels);
    }
  });
  const dimensionOrganizationUid = resultUid(doc.resultKey, `seg/dimension-organization/${doc.revision}`);
  return {
    ...resultHeader(doc, {
      sopClassUid: SEGMENTATION_CLASS,
      sopInstanceUid: segmentationUid(doc),
      seriesUid: segmentationSeriesUid(doc),
      modality: 'SEG',
      seriesNumber: SEG_SERIES_NUMBER,
      seriesKind: 'AI segmentation',
    }),
    DeviceSerialNumber: doc.analyzer.id,
    FrameOfReferenceUID: reference.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    ImageType: ['DERIVED', 'PRIMARY'],
    ContentLabel: 'SEGMENTATION',
    ContentDescription: `AI findings of ${doc.analyzer.name}`.slice(0, 64),
    ContentCreatorName: '',
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: seriesUid,
        ReferencedInstanceSequence: sources.map((s) => ({ ReferencedSOPClassUID: s.sopClassUid, ReferencedSOPInstanceUID: s.sopInstanceUid })),
      },
    ],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SegmentationType: 'BINARY',
    SegmentSequence: segments.map((s, n) => segmentDescription(s.finding, n + 1, doc.analyzer, findingTracking(doc, s.index))),
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUid }],
    DimensionIndexSequence: [
      { DimensionOrganizationUID: dimensionOrganizationUid, DimensionIndexPointer: TAGS.referencedSegmentNumber, FunctionalGroupPointer: TAGS.segmentIdentificationSequence, DimensionDescriptionLabel: 'Segment Number' },
      { DimensionOrganizationUID: dimensionOrganizationUid, DimensionIndexPointer: TAGS.imagePositionPatient, FunctionalGroupPointer: TAGS.planePositionSequence, DimensionDescriptionLabel: 'Image Position Patient' },
    ],
    NumberOfFrames: frames.length,
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [{ ImageOrientationPatient: reference.imageOrientationPatient }],
        PixelMeasuresSequence: [
          { PixelSpacing: reference.pixelSpacing, SliceThickness: reference.sliceThickness ?? round(spacingBetweenSlices), SpacingBetweenSlices: round(spacingBetweenSlices) },
        ],
      },
    ],
    PerFrameFunctionalGroupsSequence: perFrame,
    PixelData: [packFrames(frames, columns * rows)],
    _vrMap: { PixelData: 'OB' },
  };
}
