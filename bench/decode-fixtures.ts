/**
 * Test images for the decode benchmark: a synthetic CT phantom written with writeCtSeries, then
 * converted to each transfer syntax by DCMTK. Cached under .bench/decode/, one folder per syntax.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import dcmjs from 'dcmjs';
import { writeCtSeries } from '../test/support/synthetic-ct.js';
import { repoRoot } from './support.js';

export interface Syntax {
  name: string;
  uid: string;
  /** 16: 512x512 CT, 12 bits stored; 8: the same phantom scaled to 8 bits. */
  bits: 8 | 16;
  /** DCMTK command (and options) that writes this syntax from Explicit VR Little Endian; none for that syntax itself. */
  encode?: [string, ...string[]];
  /** DCMTK command (and options) that decodes it to Explicit VR Little Endian. */
  decode: [string, ...string[]];
}

const TO_LITTLE: [string, ...string[]] = ['dcmconv', '+te'];

export const SYNTAXES: Syntax[] = [
  { name: 'Explicit VR Little Endian', uid: '1.2.840.10008.1.2.1', bits: 16, decode: TO_LITTLE },
  { name: 'Explicit VR Big Endian', uid: '1.2.840.10008.1.2.2', bits: 16, encode: ['dcmconv', '+tb'], decode: TO_LITTLE },
  { name: 'Deflated Explicit VR LE', uid: '1.2.840.10008.1.2.1.99', bits: 16, encode: ['dcmconv', '+td'], decode: TO_LITTLE },
  { name: 'RLE Lossless', uid: '1.2.840.10008.1.2.5', bits: 16, encode: ['dcmcrle'], decode: ['dcmdrle'] },
  { name: 'JPEG Baseline (8-bit)', uid: '1.2.840.10008.1.2.4.50', bits: 8, encode: ['dcmcjpeg', '+eb'], decode: ['dcmdjpeg'] },
  { name: 'JPEG Extended (12-bit)', uid: '1.2.840.10008.1.2.4.51', bits: 16, encode: ['dcmcjpeg', '+ee'], decode: ['dcmdjpeg'] },
  { name: 'JPEG Lossless process 14', uid: '1.2.840.10008.1.2.4.57', bits: 16, encode: ['dcmcjpeg', '+el'], decode: ['dcmdjpeg'] },
  { name: 'JPEG Lossless SV1', uid: '1.2.840.10008.1.2.4.70', bits: 16, encode: ['dcmcjpeg', '+e1'], decode: ['dcmdjpeg'] },
  { name: 'JPEG-LS lossless', uid: '1.2.840.10008.1.2.4.80', bits: 16, encode: ['dcmcjpls', '+el'], decode: ['dcmdjpls'] },
  { name: 'JPEG-LS near-lossless', uid: '1.2.840.10008.1.2.4.81', bits: 16, encode: ['dcmcjpls', '+en'], decode: ['dcmdjpls'] },
];

export const SIZE = 512;
const TINY = 8;
const root = path.join(repoRoot, '.bench', 'decode');

export interface FileSet {
  files: string[];
  /** The same syntax at 8x8, for measuring what a DCMTK process costs apart from the pixels. */
  tiny: string;
  /** Bytes of the files on disk. */
  bytes: number;
}

/** A small deterministic generator (mulberry32), so every run measures the same pixels. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * One axial slice of a chest-like phantom in stored values (HU + 1024, 12 bits): air, a body
 * ellipse of soft tissue, two lungs, a spine, and noise of about 10 HU, so the compressors see
 * something like a CT rather than a ramp.
 */
function phantom(slice: number, size: number): Uint16Array {
  const next = random(slice + 1);
  const out = new Uint16Array(size * size);
  const inside = (x: number, y: number, cx: number, cy: number, rx: number, ry: number) => ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1;
  const breathe = 1 + 0.05 * Math.sin(slice / 8);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const u = x / size;
      const v = y / size;
      let hu = -1000;
      if (inside(u, v, 0.5, 0.52, 0.42, 0.3 * breathe)) hu = 40;
      if (inside(u, v, 0.33, 0.47, 0.11, 0.17 * breathe) || inside(u, v, 0.67, 0.47, 0.11, 0.17 * breathe)) hu = -820;
      if (inside(u, v, 0.5, 0.72, 0.05, 0.045)) hu = 900;
      const noise = (next() + next() + next() - 1.5) * 20;
      out[y * size + x] = Math.max(0, Math.min(4095, Math.round(hu + 1024 + noise)));
    }
  }
  return out;
}

function pixelModule(bits: 8 | 16, pixels: Uint16Array): Record<string, unknown> {
  if (bits === 16) return { PixelData: [pixels.buffer] };
  return {
    BitsAllocated: 8,
    BitsStored: 8,
    HighBit: 7,
    RescaleIntercept: '0',
    PixelData: [Uint8Array.from(pixels, (v) => v >> 4).buffer],
    _vrMap: { PixelData: 'OB' },
  };
}

/** Explicit VR Little Endian originals: `count` phantom slices, or one 8x8 slice. */
function writeSources(dir: string, bits: 8 | 16, count: number, size: number): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_v, i) => {
    const scratch = path.join(dir, `slice-${i}`);
    const extra = { ...pixelModule(bits, phantom(i, size)), InstanceNumber: String(i + 1), ImagePositionPatient: ['0', '0', String(-i)] };
    const [written] = writeCtSeries({ dir: scratch, count: 1, seed: `bench-decode-${bits}-${size}-${i}`, rows: size, columns: size, extra }).files;
    const file = path.join(dir, `ct-${String(i).padStart(5, '0')}.dcm`);
    renameSync(written as string, file);
    rmSync(scratch, { recursive: true });
    return file;
  });
}

function convert(tool: [string, ...string[]], input: string, output: string): void {
  const [cmd, ...options] = tool;
  execFileSync(cmd, [...options, input, output], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function folderName(s: Syntax): string {
  return s.uid.replaceAll('.', '_');
}

function setIn(dir: string): FileSet {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.dcm'))
    .sort()
    .map((f) => path.join(dir, f));
  return { files, tiny: path.join(dir, 'tiny.dcm.small'), bytes: files.reduce((sum, f) => sum + statSync(f).size, 0) };
}

/** The set for one syntax, written once (with its 8x8 companion) and reused while its marker exists. */
export function fileSet(s: Syntax, count: number): FileSet {
  const dir = path.join(root, `${folderName(s)}-${count}`);
  const marker = `${dir}.json`;
  if (existsSync(marker) && (JSON.parse(readFileSync(marker, 'utf8')) as { count: number }).count === count) return setIn(dir);
  rmSync(dir, { recursive: true, force: true });
  process.stdout.write(`  writing ${count} files of ${s.name} under .bench/decode/ (once) ... `);
  const started = performance.now();
  // dcmjs warns about the pixel data VR on every file it writes.
  (dcmjs as unknown as { log: { setLevel(level: string): void } }).log.setLevel('error');
  const sources = writeSources(path.join(dir, 'source'), s.bits, count, SIZE);
  const [tinySource] = writeSources(path.join(dir, 'tiny-source'), s.bits, 1, TINY);
  const place = (from: string, to: string) => (s.encode ? convert(s.encode, from, to) : renameSync(from, to));
  sources.forEach((f) => place(f, path.join(dir, path.basename(f))));
  place(tinySource as string, path.join(dir, 'tiny.dcm.small'));
  rmSync(path.join(dir, 'source'), { recursive: true });
  rmSync(path.join(dir, 'tiny-source'), { recursive: true });
  writeFileSync(marker, JSON.stringify({ count }));
  console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
  return setIn(dir);
}
