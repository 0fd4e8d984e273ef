import { writeFileSync } from 'node:fs';
import { run } from './interop.js';

/**
 * Writes DICOM objects with DCMTK's dump2dcm from a small element list, and checks them with
 * dicom3tools' dciodvfy: third-party objects in tests come from real tools, not from our readers.
 */

/** [tag "gggg,eeee", VR, value]: strings for text VRs, backslash-separated numbers or hex bytes otherwise, item lists for SQ. */
export type DumpElement = [string, string, string | DumpElement[][]];

const TEXT_VRS = new Set(['AE', 'AS', 'CS', 'DA', 'DS', 'DT', 'IS', 'LO', 'LT', 'PN', 'SH', 'ST', 'TM', 'UC', 'UI', 'UR', 'UT']);

export function dumpText(elements: DumpElement[]): string {
  return elements
    .map(([tag, vr, value]) => {
      if (Array.isArray(value)) {
        const items = value.map((item) => `(fffe,e000) na (Item with undefined length)\n${dumpText(item)}\n(fffe,e00d) na (ItemDelimitationItem)`);
        return `(${tag}) SQ (Sequence with undefined length)\n${items.join('\n')}\n(fffe,e0dd) na (SequenceDelimitationItem)`;
      }
      return `(${tag}) ${vr} ${TEXT_VRS.has(vr) ? `[${value}]` : value}`;
    })
    .join('\n');
}

/** Writes a Part 10 file (explicit VR little endian) with dump2dcm. */
export async function writeWithDump2dcm(elements: DumpElement[], file: string): Promise<void> {
  const dump = `${file}.dump`;
  writeFileSync(dump, `${dumpText(elements)}\n`);
  const r = await run('dump2dcm', ['--write-xfer-little', dump, file]);
  if (r.code !== 0) throw new Error(`dump2dcm failed: ${r.stderr}${r.stdout}`);
}

/** The lines dciodvfy reports as errors (warnings are left out). */
export async function dciodvfyErrors(file: string): Promise<string[]> {
  const r = await run('dciodvfy', [file]);
  return `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /^Error/.test(l));
}

export const code = (value: string, scheme: string, meaning: string): DumpElement[] => [
  ['0008,0100', 'SH', value],
  ['0008,0102', 'SH', scheme],
  ['0008,0104', 'LO', meaning],
];

/**
 * The data set of a Part 10 file as DCMTK lists it, element by element, leaving out the meta group
 * and how sequence and item lengths are encoded: what a peer that re-encodes lengths on receipt
 * (Orthanc over C-STORE) must keep.
 */
export async function datasetElements(file: string): Promise<string[]> {
  const r = await run('dcmdump', ['+L', '-Un', file]);
  if (r.code !== 0) throw new Error(`dcmdump ${file} failed: ${r.stderr}`);
  const lines = r.stdout.split('\n');
  return lines
    .slice(lines.indexOf('# Dicom-Data-Set') + 1)
    .filter((l) => !l.startsWith('#') && l.trim() !== '')
    .map((l) =>
      l
        .replace(/\s+# .*$/, '')
        .replace(/ with (undefined|explicit) length/, '')
        .replace(/ for re-encod\S*\)/, ')')
        .trimEnd(),
    );
}
