import type { GroundTruth, UltrasoundTruth } from './ground-truth.js';
import { seededRandom, type SeededRandom } from './seeded-random.js';
import { commonAttributes, studyIdentity, type SeriesIdentity } from './study-identity.js';
import type { SynthOptions, SynthStudy } from './synth-object.js';
import { synthUid } from './uids.js';

const US_MULTIFRAME_STORAGE = '1.2.840.10008.5.1.4.1.1.3.1';
const FILE = 'us-0001.dcm';
const DEPTH_MM = 160;
const FRAME_TIME_MS = 33.33;
const HALF_SECTOR = (35 * Math.PI) / 180;

/** Right upper quadrant (Morison's pouch) window: liver above a curved hepatorenal interface, kidney below. */
interface FastScene {
  spacing: number;
  size: number;
  /** Centre and radius of the circle whose upper arc is the hepatorenal interface, mm. */
  interface: { x: number; y: number; r: number };
  stripeMm: number;
  stripeFrames: Set<number>;
}

function sample(scene: FastScene, x: number, y: number, frame: number, random: SeededRandom): number {
  const apex = (scene.size * scene.spacing) / 2;
  const depth = Math.hypot(x - apex, y);
  if (y <= 0 || Math.abs(Math.atan2(x - apex, y)) > HALF_SECTOR || depth > DEPTH_MM) return 0;
  const speckle = random.gaussian();
  const { x: qx, y: qy, r } = scene.interface;
  const d = Math.hypot(x - qx, y - qy);
  const onArc = y < qy - r * 0.4;
  const half = scene.stripeFrames.has(frame) ? scene.stripeMm / 2 : 0;
  if (onArc && half > 0 && Math.abs(d - r) <= half) return Math.max(0, Math.round(4 + 2 * Math.abs(speckle)));
  if (onArc && Math.abs(Math.abs(d - r) - half) <= 1) return Math.min(255, Math.round(175 + 20 * speckle));
  const fade = 1 - (0.3 * depth) / DEPTH_MM;
  if (d > r) return clamp((95 + 22 * speckle) * fade);
  const kidney = ((x - qx) / (r * 0.7)) ** 2 + ((y - qy - r * 0.15) / (r * 0.45)) ** 2;
  if (kidney <= 0.45) return clamp((135 + 25 * speckle) * fade);
  return clamp((kidney <= 1 ? 75 : 60) + 18 * speckle * fade);
}

const clamp = (v: number): number => Math.min(255, Math.max(0, Math.round(v)));

/** A FAST examination cine loop of the hepatorenal window, with or without a free-fluid stripe. */
export function ultrasoundStudy(kind: 'us-fast', o: SynthOptions): SynthStudy {
  const id = studyIdentity(o.seed, kind);
  const random = seededRandom(o.seed, `${kind}/scene`);
  const frames = o.frames ?? 48;
  const size = o.matrix;
  const spacing = Math.round((DEPTH_MM / size) * 1e4) / 1e4;
  const first = Math.floor(frames * random.between(0.2, 0.35)) + 1;
  const last = Math.min(frames, Math.floor(frames * random.between(0.7, 0.85)));
  const stripeFrames = new Set<number>();
  if (!o.normal) for (let f = first; f <= last; f++) stripeFrames.add(f);
  const centreX = Math.round((size * spacing) / 2 + random.between(10, 25));
  const scene: FastScene = { spacing, size, interface: { x: centreX, y: 150, r: 70 }, stripeMm: Math.round(random.between(5, 10) * 10) / 10, stripeFrames };
  const pixels = new Uint8Array(size * size * frames);
  const speckle = seededRandom(o.seed, `${kind}/speckle`);
  for (let f = 1; f <= frames; f++) {
    const offset = (f - 1) * size * size;
    for (let row = 0; row < size; row++) {
      for (let col = 0; col < size; col++) pixels[offset + row * size + col] = sample(scene, col * spacing, row * spacing, f, speckle);
    }
  }
  const series: SeriesIdentity = { seriesInstanceUid: synthUid(o.seed, kind, 'series-1'), seriesNumber: 1, modality: 'US', description: 'FAST RUQ MORISON POUCH', bodyPart: 'ABDOMEN' };
  const sopInstanceUid = synthUid(o.seed, kind, 'series-1/cine-1');
  const arcTop: [number, number] = [scene.interface.x, scene.interface.y - scene.interface.r];
  const arcLength = Math.round(2 * scene.interface.r * Math.acos(0.4) * 10) / 10;
  const truth: UltrasoundTruth = {
    file: FILE, numberOfFrames: frames, frameTimeMs: FRAME_TIME_MS, freeFluid: !o.normal, stripeFrames: [...stripeFrames],
    pixelSpacingMm: [spacing, spacing],
    ...(o.normal ? {} : {
      stripe: {
        centre: { pixel: [Math.round((arcTop[0] / spacing) * 100) / 100, Math.round((arcTop[1] / spacing) * 100) / 100], mm: arcTop },
        thicknessMm: scene.stripeMm, lengthMm: arcLength, meanPixelValue: 5,
      },
    }),
  };
  const dataset = {
    ...commonAttributes(id, series, US_MULTIFRAME_STORAGE, sopInstanceUid, 'US FAST TRAUMA'),
    ImageType: ['ORIGINAL', 'PRIMARY', 'ABDOMINAL'],
    InstanceNumber: '1',
    PatientOrientation: '',
    NumberOfFrames: String(frames),
    FrameIncrementPointer: 0x00181063,
    FrameTime: String(FRAME_TIME_MS),
    CineRate: String(Math.round(1000 / FRAME_TIME_MS)),
    RecommendedDisplayFrameRate: String(Math.round(1000 / FRAME_TIME_MS)),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: size,
    Columns: size,
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    SequenceOfUltrasoundRegions: [{
      RegionSpatialFormat: 1, RegionDataType: 1, RegionFlags: 0,
      RegionLocationMinX0: 0, RegionLocationMinY0: 0, RegionLocationMaxX1: size - 1, RegionLocationMaxY1: size - 1,
      PhysicalUnitsXDirection: 3, PhysicalUnitsYDirection: 3, PhysicalDeltaX: spacing / 10, PhysicalDeltaY: spacing / 10,
    }],
    PixelData: [pixels.buffer],
    _vrMap: { PixelData: 'OB' },
  };
  const groundTruth: GroundTruth = {
    generator: 'radbridge synth', kind, seed: o.seed, normal: o.normal, matrix: o.matrix,
    studyInstanceUid: id.studyInstanceUid, patientId: id.patientId, accessionNumber: id.accessionNumber,
    series: [{ seriesInstanceUid: series.seriesInstanceUid, seriesNumber: 1, description: series.description, files: [FILE] }],
    findings: [], radiographs: [], ultrasound: [truth],
  };
  return { objects: [{ file: FILE, dataset }], groundTruth };
}
