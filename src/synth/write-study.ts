import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import dcmjs from 'dcmjs';
import type { SynthStudy } from './synth-object.js';

export const COMPRESSIONS = ['jpeg-lossless', 'jpeg-ls', 'rle'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** Lossless compression by DCMTK: JPEG Lossless SV1 (1.2.840.10008.1.2.4.70), JPEG-LS lossless, RLE. */
const COMPRESSORS: Record<Compression, { tool: string; args: string[] }> = {
  'jpeg-lossless': { tool: 'dcmcjpeg', args: ['+e1'] },
  'jpeg-ls': { tool: 'dcmcjpls', args: ['+el'] },
  rle: { tool: 'dcmcrle', args: [] },
};

export class CompressionUnavailableError extends Error {}

function compress(file: string, compression: Compression): void {
  const { tool, args } = COMPRESSORS[compression];
  const tmp = `${file}.compressing`;
  try {
    execFileSync(tool, [...args, file, tmp], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new CompressionUnavailableError(`--compress ${compression} needs DCMTK's ${tool} on the PATH (Debian package dcmtk); it is not installed`);
    }
    throw err;
  }
  renameSync(tmp, file);
}

/** Writes every object of a study under `outDir` (Explicit VR Little Endian, or compressed losslessly) and ground-truth.json beside them. */
export function writeStudy(study: SynthStudy, outDir: string, compression?: Compression): string[] {
  const written: string[] = [];
  for (const object of study.objects) {
    const file = path.join(outDir, object.file);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, Buffer.from(dcmjs.data.datasetToBuffer(object.dataset) as ArrayBuffer));
    if (compression) compress(file, compression);
    written.push(file);
  }
  const truth = { ...study.groundTruth, ...(compression ? { compression } : {}) };
  writeFileSync(path.join(outDir, 'ground-truth.json'), `${JSON.stringify(truth, null, 2)}\n`);
  return written;
}
