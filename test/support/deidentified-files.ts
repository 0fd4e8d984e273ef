import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { parseFilePrefix } from '../../src/dicom/part10.js';
import { dciodvfyErrors } from './dicom-dump.js';
import { run } from './interop.js';

/** Checking de-identified output with DCMTK and dicom3tools. */

export async function dcmdump(file: string): Promise<string> {
  const r = await run('dcmdump', ['+L', '-Un', '+P', '0002,0010', file]);
  const full = await run('dcmdump', ['+L', '-Un', '-M', '+U8', file]);
  if (r.code !== 0 || full.code !== 0) throw new Error(`dcmdump ${file} failed: ${r.stderr}${full.stderr}`);
  return `${r.stdout}${full.stdout}`;
}

/** dciodvfy's errors, without the value-specific part, so input and output can be compared. */
export async function comparableDciodvfyErrors(file: string): Promise<Set<string>> {
  return new Set((await dciodvfyErrors(file)).map((l) => l.replace(/ - Value = <[^>]*>/g, '').trim()));
}

export function writeAll(dir: string, prefix: string, files: readonly Uint8Array[]): string[] {
  return files.map((bytes, i) => {
    const file = path.join(dir, `${prefix}-${i}.dcm`);
    writeFileSync(file, bytes);
    return file;
  });
}

/** The bytes of a file as text to search, the data set inflated when the transfer syntax deflates it. */
export function searchableText(bytes: Uint8Array): string {
  const buf = Buffer.from(bytes);
  const prefix = parseFilePrefix(buf, true);
  if (prefix?.meta.transferSyntaxUid !== '1.2.840.10008.1.2.1.99') return buf.toString('latin1');
  return Buffer.concat([buf.subarray(0, prefix.length), inflateRawSync(buf.subarray(prefix.length))]).toString('latin1');
}
