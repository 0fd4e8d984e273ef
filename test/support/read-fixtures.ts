import assert from 'node:assert/strict';
import path from 'node:path';
import { run } from './interop.js';
import { uidFrom, writeCtSeries, type WrittenSeries } from './synthetic-ct.js';

/**
 * Three studies of two patients for the DICOMweb read side. Study A: a CT series of 3 and an MR
 * series of 2. Study B: two native 3-frame instances of 16x16 noise. Study C: JPEG Lossless SV1 of
 * the same 3 frames of 64x64 noise with an offset table, without one in many fragments, without
 * one a fragment per frame, and of frame 1 alone in many fragments.
 */
export interface ReadFixtures {
  studyA: string;
  studyB: string;
  studyC: string;
  a1: WrittenSeries;
  a2: WrittenSeries;
  b1: WrittenSeries;
  nativeFrames: Buffer;
  jpeg: Record<'withTable' | 'fragmented' | 'perFrame' | 'single', WrittenSeries>;
}

export const NATIVE_FRAME_BYTES = 16 * 16 * 2;
const JPEG_FRAME_BYTES = 64 * 64 * 2;

/** 12-bit noise that compresses poorly, so +fs 1 splits each JPEG frame over several fragments. */
function noiseFrames(count: number, pixels: number, seed: number): Buffer {
  const values = new Uint16Array(count * pixels);
  let x = seed;
  for (let i = 0; i < values.length; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    values[i] = x & 0x0fff;
  }
  return Buffer.from(values.buffer);
}

export function frameOf(frames: Buffer, frame: number, bytesPerFrame: number): Buffer {
  return frames.subarray((frame - 1) * bytesPerFrame, frame * bytesPerFrame);
}

function arrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
}

const jpegOptions: Record<keyof ReadFixtures['jpeg'], string[]> = {
  withTable: [],
  fragmented: ['-ot', '+fs', '1'],
  perFrame: ['-ot'],
  single: ['-ot', '+fs', '1'],
};

/** Writes the source files; the JPEG ones are compressed by loadReadFixtures. */
export function writeReadFixtures(dir: string): ReadFixtures {
  const [studyA, studyB, studyC] = ['a', 'b', 'c'].map((s) => uidFrom(`read/study-${s}`)) as [string, string, string];
  const patientA = { patientId: 'P-0001', patientName: 'TRAUMA^SYNTHETIC' };
  const patientB = { patientId: 'P-0002', patientName: 'DOE^JANE' };
  const series = (name: string, o: Partial<Parameters<typeof writeCtSeries>[0]>) =>
    writeCtSeries({ dir: path.join(dir, name), count: 1, seed: `read/${name}`, ...o });
  const nativeFrames = noiseFrames(3, 16 * 16, 7);
  const jpegFrames = noiseFrames(3, 64 * 64, 11);
  const studyCExtra = { StudyDate: '20250311', StudyTime: '143000', AccessionNumber: 'ACC-C', StudyDescription: 'CT KNEE' };
  const jpegSource = (name: string, frames: Buffer, count: number) =>
    series(name, { studyUid: studyC, ...patientB, extra: { ...studyCExtra, ...(count > 1 ? { NumberOfFrames: String(count) } : {}), PixelData: [arrayBuffer(frames)] } });
  return {
    studyA,
    studyB,
    studyC,
    a1: series('a1', { count: 3, studyUid: studyA, ...patientA, extra: { AccessionNumber: 'ACC-A' } }),
    a2: series('a2', {
      count: 2,
      studyUid: studyA,
      seriesNumber: 2,
      ...patientA,
      extra: { AccessionNumber: 'ACC-A', Modality: 'MR', BodyPartExamined: 'HEAD', SeriesDescription: 'SAG T1' },
    }),
    b1: series('b1', {
      count: 2,
      studyUid: studyB,
      rows: 16,
      columns: 16,
      ...patientB,
      extra: { StudyDate: '20250310', AccessionNumber: 'ACC-B', NumberOfFrames: '3', PixelData: [arrayBuffer(nativeFrames)] },
    }),
    nativeFrames,
    jpeg: {
      withTable: jpegSource('c-table', jpegFrames, 3),
      fragmented: jpegSource('c-fragmented', jpegFrames, 3),
      perFrame: jpegSource('c-per-frame', jpegFrames, 3),
      single: jpegSource('c-single', frameOf(jpegFrames, 1, JPEG_FRAME_BYTES), 1),
    },
  };
}

/** Sends the native files with storescu, then compresses the JPEG cases with dcmcjpeg and sends them in JPEG Lossless SV1 (-xs). */
export async function loadReadFixtures(f: ReadFixtures, dir: string, dicomPort: number): Promise<void> {
  const send = async (files: string[], options: string[] = []) => {
    const r = await run('storescu', [...options, '-aec', 'RADBRIDGE', '127.0.0.1', String(dicomPort), ...files]);
    assert.equal(r.code, 0, `storescu: ${r.stdout}${r.stderr}`);
  };
  await send([...f.a1.files, ...f.a2.files, ...f.b1.files]);
  const jpegFiles: string[] = [];
  for (const [name, source] of Object.entries(f.jpeg)) {
    const out = path.join(dir, `${name}.jpeg.dcm`);
    const made = await run('dcmcjpeg', ['+e1', ...jpegOptions[name as keyof ReadFixtures['jpeg']], source.files[0] ?? '', out]);
    assert.equal(made.code, 0, made.stderr);
    jpegFiles.push(out);
  }
  await send(jpegFiles, ['-xs']);
}
