import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAnalyzer } from '../src/analyze/builtin/head-ct.js';
import { itemsOf, readDicomObject, textOf } from '../src/analyze/import/dicom-object.js';
import { RadbridgeError } from '../src/domain/errors.js';
import type { FindingMask } from '../src/domain/finding.js';
import { paintRuns, runsOf } from '../src/imaging/mask-runs.js';
import { keyObjectSelection } from '../src/publish/kos/key-object-selection.js';
import { part10Bytes } from '../src/publish/part10-bytes.js';
import type { ResultDocument } from '../src/publish/result-document.js';
import { resultUid } from '../src/publish/result-uids.js';
import { dciodvfyErrors } from './support/dicom-dump.js';
import { writeCtStudy } from './support/head-ct-study.js';
import { missingTools, run } from './support/interop.js';
import { writePhantom } from './support/phantom-series.js';
import { resultDocumentOf, testFinding as finding } from './support/analyzer-result-documents.js';
import { tempDir } from './support/test-hub.js';

/** The Key Object Selection writer: the key images of the findings, valid for dciodvfy and dsrdump, stable UIDs, and refusals. */

const skip = missingTools('dciodvfy', 'dsrdump');
const isRefusal = (err: unknown) => err instanceof RadbridgeError && err.code === 'RESULT_DOCUMENT_INVALID';

let dir: string;
before(() => {
  dir = tempDir('radbridge-kos-writer-');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the KOS, checks it with dciodvfy and dsrdump, and gives the images it flags and lists as evidence, read from the file. */
async function writeAndRead(name: string, dataset: Record<string, unknown>) {
  const bytes = part10Bytes(dataset);
  const file = path.join(dir, `${name}.dcm`);
  writeFileSync(file, bytes);
  assert.deepEqual(await dciodvfyErrors(file), []);
  const dump = await run('dsrdump', [file]);
  assert.equal(dump.code, 0, dump.stderr);
  const { dict } = readDicomObject(bytes);
  const flagged = itemsOf(dict, '0040A730')
    .filter((item) => textOf(item, '0040A040') === 'IMAGE')
    .map((item) => textOf(itemsOf(item, '00081199')[0] ?? {}, '00081155'));
  const evidence = itemsOf(dict, '0040A375')
    .flatMap((study) => itemsOf(study, '00081115'))
    .flatMap((series) => itemsOf(series, '00081199'))
    .map((sop) => textOf(sop, '00081155'));
  const description = itemsOf(dict, '0040A730').find((item) => textOf(item, '0040A040') === 'TEXT' && textOf(itemsOf(item, '0040A043')[0] ?? {}, '00080100') === '113012');
  return { flagged, evidence, description: description ? textOf(description, '0040A160') : undefined, dump: dump.stdout };
}

/** The slice holding most of a mask's voxels, counted on the painted grid. */
function fullestSlice(mask: FindingMask): number {
  const [nx, ny, nz] = mask.dimensions;
  const grid = new Uint8Array(nx * ny * nz);
  paintRuns(grid, mask.runs, 1);
  const counts = Array.from({ length: nz }, (_v, k) => grid.subarray(k * nx * ny, (k + 1) * nx * ny).reduce((a, b) => a + b, 0));
  return counts.indexOf(Math.max(...counts));
}

/** Source images of a document's series by slice, lowest z first. */
const bySlice = (doc: ResultDocument) => [...doc.sources].sort((a, b) => (a.imagePositionPatient?.[2] ?? 0) - (b.imagePositionPatient?.[2] ?? 0)).map((s) => s.sopInstanceUid);

const HAEMORRHAGE = { scheme: 'SCT', value: '50960005', meaning: 'Hemorrhage' };
const FRACTURE = { scheme: 'SCT', value: '72704001', meaning: 'Fracture' };

function phantom(seed: string) {
  const written = writePhantom({ dir: path.join(dir, seed), seed, dims: [6, 5, 4], spacing: [0.5, 0.5, 2], origin: [-10, -20, 30], hu: () => 40 });
  const mask = (set: (i: number, j: number, k: number) => boolean): FindingMask => {
    const grid = new Uint8Array(6 * 5 * 4);
    for (let k = 0; k < 4; k++) for (let j = 0; j < 5; j++) for (let i = 0; i < 6; i++) grid[i + 6 * (j + 5 * k)] = set(i, j, k) ? 1 : 0;
    return { seriesUid: written.series.seriesUid, dimensions: [6, 5, 4], affine: [0.5, 0, 0, -10, 0, 0.5, 0, -20, 0, 0, 2, 30, 0, 0, 0, 1], runs: runsOf(grid, 1) };
  };
  return { files: written.series.instances.map((i) => i.file), mask, seriesUid: written.series.seriesUid };
}

describe('key object selection writer', { skip }, () => {
  it('flags the slice with most haemorrhage voxels of the head CT analyzer\'s findings, and the images of findings without a mask', async () => {
    const study = writeCtStudy('trauma-ct-head', path.join(dir, 'head'), { seed: 2, normal: false, matrix: 64 });
    const { findings } = await createAnalyzer({}).analyze(study.input, new AbortController().signal);
    const doc = resultDocumentOf(study.instances.map((i) => i.file), findings);
    const slices = bySlice(doc);
    const expected = [...new Set(findings.filter((f) => f.presence === 'present').flatMap((f) => (f.mask ? [slices[fullestSlice(f.mask)]] : (f.location?.images ?? []).map((i) => i.sopInstanceUid))))];
    assert.ok(expected.length > 0);
    const dataset = keyObjectSelection(doc);
    assert.ok(dataset);
    const read = await writeAndRead('head', dataset);
    assert.deepEqual(read.flagged, expected);
    assert.deepEqual([...read.evidence].sort(), [...expected].sort());
    assert.match(read.dump, /Of Interest/);
    assert.match(read.dump, /"Device Observer Name"\)="Radbridge head CT"/);
    assert.match(read.description ?? '', /^Key images of \d+ finding\(s\) by Radbridge head CT 1\.2\.0: Intracranial hemorrhage/);
  });

  it('lists each key image once: the fullest mask slice, then named images; absent findings and series-only references are left out', async () => {
    const p = phantom('kos');
    const doc0 = resultDocumentOf(p.files, []);
    const [s0, s1, s2, s3] = bySlice(doc0);
    const findings = [
      finding(HAEMORRHAGE, { mask: p.mask((i, j, k) => (k === 2 && i < 4) || (k === 1 && i === 0 && j === 0)), laterality: 'left', site: { scheme: 'SCT', value: '1101003', meaning: 'Intracranial structure' } }),
      finding(FRACTURE, { location: { images: [{ seriesUid: p.seriesUid, sopInstanceUid: s0 }, { seriesUid: p.seriesUid, sopInstanceUid: s2 }, { seriesUid: p.seriesUid, sopInstanceUid: s1 }] } }),
      finding(FRACTURE, { presence: 'absent', location: { images: [{ seriesUid: p.seriesUid, sopInstanceUid: s3 }] } }),
      finding(FRACTURE, { location: { images: [{ seriesUid: p.seriesUid }] } }),
    ];
    const dataset = keyObjectSelection({ ...doc0, findings });
    assert.ok(dataset);
    const read = await writeAndRead('kos', dataset);
    assert.deepEqual(read.flagged, [s2, s0, s1]);
    assert.deepEqual([...read.evidence].sort(), [s0, s1, s2].sort());
    assert.equal(read.description, 'Key images of 2 finding(s) by Radbridge head CT 1.2.0: Hemorrhage, Intracranial structure, left; Fracture');
  });

  it('gives the same UIDs when written twice and a new instance for a new revision; no key image, no KOS', () => {
    const p = phantom('kos-uids');
    const findings = [finding(HAEMORRHAGE, { mask: p.mask((i, _j, k) => i === 1 && k === 3) })];
    const once = keyObjectSelection(resultDocumentOf(p.files, findings));
    const twice = keyObjectSelection(resultDocumentOf(p.files, findings));
    assert.ok(once && twice);
    assert.deepEqual(part10Bytes(once), part10Bytes(twice));
    assert.equal(once.SOPInstanceUID, resultUid('result-1', 'kos/instance/1'));
    assert.equal(once.SeriesInstanceUID, resultUid('result-1', 'kos/series'));
    const amended = keyObjectSelection(resultDocumentOf(p.files, findings, { revision: 2 }));
    assert.notEqual(amended?.SOPInstanceUID, once.SOPInstanceUID);
    assert.equal(amended?.SeriesInstanceUID, once.SeriesInstanceUID);
    assert.equal(keyObjectSelection(resultDocumentOf(p.files, [])), undefined);
    assert.equal(keyObjectSelection(resultDocumentOf(p.files, [finding(HAEMORRHAGE, { presence: 'absent', mask: p.mask(() => true) })])), undefined);
  });

  it('refuses a key image that is not among the sources and a mask that does not fit them', () => {
    const p = phantom('kos-refusals');
    const elsewhere = [finding(FRACTURE, { location: { images: [{ seriesUid: p.seriesUid, sopInstanceUid: '1.2.3.4' }] } })];
    assert.throws(() => keyObjectSelection(resultDocumentOf(p.files, elsewhere)), (err) => isRefusal(err) && /1\.2\.3\.4/.test(String(err)));
    const mask = p.mask((i) => i === 0);
    const shifted = [finding(HAEMORRHAGE, { mask: { ...mask, affine: mask.affine.map((v, n) => (n === 3 ? v + 3 : v)) } })];
    assert.throws(() => keyObjectSelection(resultDocumentOf(p.files, shifted)), isRefusal);
  });
});
