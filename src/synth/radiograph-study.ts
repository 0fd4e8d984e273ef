import type { GroundTruth, Point2d, RadiographTruth } from './ground-truth.js';
import { radiographScene, type RadiographScene, type XrKind } from './radiograph-anatomy.js';
import { renderRadiograph, type Xy } from './radiograph-shapes.js';
import { seededRandom } from './seeded-random.js';
import { commonAttributes, studyIdentity, type SeriesIdentity } from './study-identity.js';
import type { SynthOptions, SynthStudy } from './synth-object.js';
import { synthUid } from './uids.js';

const CR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.1';
const FILE = 'cr-0001.dcm';

function point(mm: Xy, spacing: number): Point2d {
  const px = (v: number): number => Math.round((v / spacing) * 100) / 100;
  return { pixel: [px(mm[0]), px(mm[1])], mm };
}

function truthOf(scene: RadiographScene, spacing: number): RadiographTruth {
  const landmarks: Record<string, Point2d> = {};
  for (const [name, mm] of Object.entries(scene.landmarks)) landmarks[name] = point(mm, spacing);
  const tilt = (a: Xy, b: Xy): number => Math.round(((Math.atan2(-(b[1] - a[1]), b[0] - a[0]) * 180) / Math.PI) * 10) / 10;
  return {
    file: FILE,
    laterality: scene.laterality,
    pixelSpacingMm: [spacing, spacing],
    landmarks,
    axes: scene.axes,
    measurements: scene.measurements,
    ...(scene.endplates
      ? {
          endplates: scene.endplates.map((e) => ({
            vertebra: e.vertebra,
            upper: [point(e.upper[0], spacing), point(e.upper[1], spacing)] as [Point2d, Point2d],
            lower: [point(e.lower[0], spacing), point(e.lower[1], spacing)] as [Point2d, Point2d],
            tiltDeg: tilt(e.upper[0], e.upper[1]),
          })),
        }
      : {}),
    ...(scene.cobb ? { cobb: scene.cobb } : {}),
  };
}

/** A computed radiography (CR) study of one AP image with known landmarks. */
export function radiographStudy(kind: XrKind, o: SynthOptions): SynthStudy {
  const id = studyIdentity(o.seed, kind);
  const scene = radiographScene(kind, seededRandom(o.seed, `${kind}/anatomy`));
  const spacing = Math.round((scene.widthMm / o.matrix) * 1e4) / 1e4;
  const columns = o.matrix;
  const rows = Math.round(scene.heightMm / spacing);
  const noise = seededRandom(o.seed, `${kind}/noise`);
  const monochrome1 = o.monochrome1 ?? false;
  const pixels = renderRadiograph({ rows, columns, spacingMm: spacing, shapes: scene.shapes, monochrome1, noise: () => noise.gaussian() * 15 });
  const series: SeriesIdentity = { seriesInstanceUid: synthUid(o.seed, kind, 'series-1'), seriesNumber: 1, modality: 'CR', description: scene.description, bodyPart: scene.bodyPart };
  const sopInstanceUid = synthUid(o.seed, kind, 'series-1/image-1');
  const dataset = {
    ...commonAttributes(id, series, CR_IMAGE_STORAGE, sopInstanceUid, `XR ${scene.description}`),
    ImageType: ['ORIGINAL', 'PRIMARY'],
    ViewPosition: 'AP',
    ImageLaterality: scene.laterality,
    KVP: '70',
    DistanceSourceToDetector: '1150',
    InstanceNumber: '1',
    PatientOrientation: ['L', 'F'],
    SamplesPerPixel: 1,
    PhotometricInterpretation: monochrome1 ? 'MONOCHROME1' : 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    PixelSpacing: [String(spacing), String(spacing)],
    ImagerPixelSpacing: [String(spacing), String(spacing)],
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    WindowCenter: '1100',
    WindowWidth: '2200',
    LossyImageCompression: '00',
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OW' },
  };
  const groundTruth: GroundTruth = {
    generator: 'radbridge synth', kind, seed: o.seed, normal: o.normal, matrix: o.matrix,
    studyInstanceUid: id.studyInstanceUid, patientId: id.patientId, accessionNumber: id.accessionNumber,
    series: [{ seriesInstanceUid: series.seriesInstanceUid, seriesNumber: 1, description: scene.description, files: [FILE] }],
    findings: [], radiographs: [truthOf(scene, spacing)], ultrasound: [],
  };
  return { objects: [{ file: FILE, dataset }], groundTruth };
}
