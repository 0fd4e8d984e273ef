import type { CtFindingTruth, GroundTruth, SeriesTruth } from './ground-truth.js';
import { planFindings, type CtFindingSpec, type CtRegion } from './ct-findings.js';
import { phantomAt, type PhantomOptions } from './phantom-ct.js';
import { measureRegion } from './region-measure.js';
import { seededRandom, type SeededRandom } from './seeded-random.js';
import { commonAttributes, studyIdentity, type SeriesIdentity, type StudyIdentity } from './study-identity.js';
import type { SynthObject, SynthOptions, SynthStudy } from './synth-object.js';
import { synthUid } from './uids.js';

export const CT_KINDS = ['trauma-ct-head', 'trauma-ct-chest', 'trauma-ct-abdomen', 'trauma-ct-panscan'] as const;
export type CtKind = (typeof CT_KINDS)[number];

const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const CONTRAST_AGENT = 'IOHEXOL 350 MG/ML';

interface CtSeriesPlan {
  description: string;
  kernel: 'SOFT TISSUE' | 'BONE' | 'LUNG';
  noiseHu: number;
  window: [number, number];
}

interface CtKindPlan {
  regions: CtRegion[];
  studyDescription: string;
  bodyPart: string;
  /** Superior and inferior limits of the scan, mm (z). */
  zRange: [number, number];
  fovMm: number;
  contrast: boolean;
  series: CtSeriesPlan[];
}

const soft = (description: string, window: [number, number] = [40, 400]): CtSeriesPlan => ({ description, kernel: 'SOFT TISSUE', noiseHu: 5, window });

const PLANS: Record<CtKind, CtKindPlan> = {
  'trauma-ct-head': {
    regions: ['head'], studyDescription: 'CT HEAD TRAUMA', bodyPart: 'HEAD', zRange: [-5, -205], fovMm: 250, contrast: false,
    series: [soft('HEAD AXIAL BRAIN', [40, 80]), { description: 'HEAD AXIAL BONE', kernel: 'BONE', noiseHu: 12, window: [500, 2000] }],
  },
  'trauma-ct-chest': {
    regions: ['chest'], studyDescription: 'CT CHEST TRAUMA', bodyPart: 'CHEST', zRange: [-270, -575], fovMm: 400, contrast: true,
    series: [soft('CHEST AXIAL SOFT TISSUE'), { description: 'CHEST AXIAL LUNG', kernel: 'LUNG', noiseHu: 10, window: [-600, 1500] }],
  },
  'trauma-ct-abdomen': {
    regions: ['abdomen'], studyDescription: 'CT ABDOMEN PELVIS TRAUMA', bodyPart: 'ABDOMENPELVIS', zRange: [-560, -965], fovMm: 400, contrast: true,
    series: [soft('ABDOMEN PELVIS AXIAL PORTAL VENOUS')],
  },
  'trauma-ct-panscan': {
    regions: ['head', 'chest', 'abdomen'], studyDescription: 'CT WHOLE BODY TRAUMA', bodyPart: 'WHOLEBODY', zRange: [-5, -965], fovMm: 400, contrast: true,
    series: [soft('WHOLE BODY HEAD TO PELVIS AXIAL')],
  },
};

/** The phantom's noiseless HU on one axial plane, shared by every series of the study. */
interface HuPlane {
  z: number;
  hu: Float64Array;
  findingsHere: Set<number>;
}

interface RenderedSlice {
  z: number;
  pixels: Uint16Array;
}

function renderPlane(phantom: PhantomOptions, z: number, matrix: number, fovMm: number): HuPlane {
  const spacing = fovMm / matrix;
  const origin = -fovMm / 2 + spacing / 2;
  const hu = new Float64Array(matrix * matrix);
  const findingsHere = new Set<number>();
  for (let row = 0; row < matrix; row++) {
    const y = origin + row * spacing;
    for (let col = 0; col < matrix; col++) {
      const point = phantomAt(phantom, origin + col * spacing, y, z);
      if (point.finding >= 0) findingsHere.add(point.finding);
      hu[row * matrix + col] = point.hu;
    }
  }
  return { z, hu, findingsHere };
}

/** One series' slice of a plane: its own noise added, stored as HU + 1024 clamped to 12 bits. */
function noisySlice(plane: HuPlane, random: SeededRandom, noiseHu: number): RenderedSlice {
  const pixels = new Uint16Array(plane.hu.length);
  for (let p = 0; p < pixels.length; p++) pixels[p] = Math.min(4095, Math.max(0, Math.round((plane.hu[p] ?? 0) + random.gaussian() * noiseHu) + 1024));
  return { z: plane.z, pixels };
}

const sliceFile = (seriesNumber: number, index: number): string => `series-${String(seriesNumber).padStart(2, '0')}/ct-${String(index + 1).padStart(4, '0')}.dcm`;

function ctAttributes(id: StudyIdentity, series: SeriesIdentity, plan: CtKindPlan, s: CtSeriesPlan, slice: RenderedSlice, index: number, o: { matrix: number; thickness: number }): Record<string, unknown> {
  const sopInstanceUid = synthUid(id.seed, id.kind, `series-${series.seriesNumber}/slice-${index}`);
  const spacing = plan.fovMm / o.matrix;
  const origin = -plan.fovMm / 2 + spacing / 2;
  const ds = (v: number): string => String(Math.round(v * 1e4) / 1e4);
  return {
    ...commonAttributes(id, series, CT_IMAGE_STORAGE, sopInstanceUid, plan.studyDescription),
    ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
    ...(plan.contrast ? { ContrastBolusAgent: CONTRAST_AGENT, ContrastBolusRoute: 'IV' } : {}),
    ScanOptions: 'HELICAL',
    SliceThickness: ds(o.thickness),
    KVP: '120',
    DataCollectionDiameter: '500',
    ReconstructionDiameter: ds(plan.fovMm),
    ConvolutionKernel: s.kernel,
    PatientPosition: 'HFS',
    ProtocolName: plan.studyDescription,
    InstanceNumber: String(index + 1),
    AcquisitionNumber: '1',
    ImagePositionPatient: [ds(origin), ds(origin), ds(slice.z)],
    ImageOrientationPatient: ['1', '0', '0', '0', '1', '0'],
    FrameOfReferenceUID: id.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    SliceLocation: ds(slice.z),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: o.matrix,
    Columns: o.matrix,
    PixelSpacing: [ds(spacing), ds(spacing)],
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    WindowCenter: String(s.window[0]),
    WindowWidth: String(s.window[1]),
    RescaleIntercept: '-1024',
    RescaleSlope: '1',
    RescaleType: 'HU',
    LossyImageCompression: '00',
    PixelData: [slice.pixels.buffer],
    _vrMap: { PixelData: 'OW' },
  };
}

function findingTruth(spec: CtFindingSpec, locations: CtFindingTruth['locations']): CtFindingTruth {
  const m = measureRegion((x, y, z) => spec.contains(x, y, z), spec.box);
  return {
    id: spec.id, type: spec.type, side: spec.side, centreMm: m.centreMm, probeMm: spec.probe, sizeMm: m.sizeMm, volumeMl: m.volumeMl, hu: spec.hu,
    ...(spec.surroundingHu !== undefined ? { surroundingHu: spec.surroundingHu } : {}),
    ...(spec.bone !== undefined ? { bone: spec.bone } : {}),
    locations,
  };
}

/** A trauma CT study: one or more axial series of the analytic phantom, with the planned findings. */
export function ctStudy(kind: CtKind, o: SynthOptions): SynthStudy {
  const plan = PLANS[kind];
  const id = studyIdentity(o.seed, kind);
  const thickness = o.sliceThicknessMm ?? 5;
  const { findings, lungs } = planFindings(seededRandom(o.seed, `${kind}/findings`), plan.regions, o.normal);
  const phantom: PhantomOptions = { contrast: plan.contrast, findings, lungs };
  const [zTop, zBottom] = plan.zRange;
  const zs: number[] = [];
  for (let z = zTop - thickness / 2; z >= zBottom; z -= thickness) zs.push(Math.round(z * 100) / 100);
  const planned = plan.series.map((s, n) => {
    const seriesNumber = n + 1;
    const identity: SeriesIdentity = { seriesInstanceUid: synthUid(o.seed, kind, `series-${seriesNumber}`), seriesNumber, modality: 'CT', description: s.description, bodyPart: plan.bodyPart };
    return { s, identity, random: seededRandom(o.seed, `${kind}/series-${seriesNumber}/noise`), objects: [] as SynthObject[] };
  });
  // Each plane is rendered once; every series adds its own noise stream to it, in the same pixel order.
  const slicesOf = findings.map((): number[] => []);
  zs.forEach((z, i) => {
    const plane = renderPlane(phantom, z, o.matrix, plan.fovMm);
    for (const f of plane.findingsHere) slicesOf[f]?.push(i);
    for (const { s, identity, random, objects } of planned) {
      objects.push({ file: sliceFile(identity.seriesNumber, i), dataset: ctAttributes(id, identity, plan, s, noisySlice(plane, random, s.noiseHu), i, { matrix: o.matrix, thickness }) });
    }
  });
  const objects = planned.flatMap((p) => p.objects);
  const series: SeriesTruth[] = planned.map(({ s, identity, objects: own }) => ({ seriesInstanceUid: identity.seriesInstanceUid, seriesNumber: identity.seriesNumber, description: s.description, files: own.map((x) => x.file) }));
  const locations = slicesOf.map((slices): CtFindingTruth['locations'] =>
    slices.length === 0 ? [] : planned.map(({ identity: { seriesInstanceUid, seriesNumber } }) => ({ seriesInstanceUid, seriesNumber, instanceNumbers: slices.map((i) => i + 1), files: slices.map((i) => sliceFile(seriesNumber, i)) })),
  );
  const groundTruth: GroundTruth = {
    generator: 'radbridge synth', kind, seed: o.seed, normal: o.normal, matrix: o.matrix,
    studyInstanceUid: id.studyInstanceUid, patientId: id.patientId, accessionNumber: id.accessionNumber,
    series, findings: findings.map((f, i) => findingTruth(f, locations[i] ?? [])), radiographs: [], ultrasound: [],
  };
  return { objects, groundTruth };
}
