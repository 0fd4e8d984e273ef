import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createAnalyzer as createChestAnalyzer } from '../src/analyze/builtin/chest-ct.js';
import { createAnalyzer } from '../src/analyze/builtin/head-ct.js';
import { readResultObject } from '../src/analyze/import/result-object-reader.js';
import { RadbridgeError } from '../src/domain/errors.js';
import type { Finding, FindingMask } from '../src/domain/finding.js';
import { runsOf } from '../src/imaging/mask-runs.js';
import { findingTracking } from '../src/publish/finding-tracking.js';
import { part10Bytes } from '../src/publish/part10-bytes.js';
import type { ResultDocument } from '../src/publish/result-document.js';
import { resultUid } from '../src/publish/result-uids.js';
import { binarySegmentation } from '../src/publish/seg/binary-segmentation.js';
import { dciodvfyErrors } from './support/dicom-dump.js';
import { writeChestStudy } from './support/chest-study.js';
import { writeCtStudy } from './support/head-ct-study.js';
import { missingTools, run } from './support/interop.js';
import { writePhantom } from './support/phantom-series.js';
import { planesOf, resultDocumentOf, testFinding as finding, TEST_ANALYZER } from './support/analyzer-result-documents.js';
import { tempDir } from './support/test-hub.js';

/** The binary SEG writer on the head CT analyzer's findings and on hand-made masks: valid, read back voxel for voxel by the hub's own reader, stable UIDs, and refusals. */

const skip = missingTools('dciodvfy', 'dcmdump');
const importer = { id: 'third-party-results', version: '1.0.0' };
const isRefusal = (err: unknown) => err instanceof RadbridgeError && err.code === 'RESULT_DOCUMENT_INVALID';

let dir: string;
before(() => {
  dir = tempDir('radbridge-seg-writer-');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, dataset: Record<string, unknown>): { file: string; bytes: Uint8Array } {
  const bytes = part10Bytes(dataset);
  const file = path.join(dir, `${name}.dcm`);
  writeFileSync(file, bytes);
  return { file, bytes };
}

async function readBack(doc: ResultDocument, bytes: Uint8Array) {
  return readResultObject(bytes, { inputHash: 'reread', importer, planes: planesOf(doc) });
}

function assertSameMask(actual: FindingMask | undefined, expected: FindingMask) {
  assert.ok(actual);
  assert.equal(actual.seriesUid, expected.seriesUid);
  assert.deepEqual(actual.dimensions, expected.dimensions);
  assert.deepEqual(actual.runs, expected.runs, 'the same voxels');
  actual.affine.forEach((v, n) => assert.ok(Math.abs(v - (expected.affine[n] ?? NaN)) < 1e-6, `affine[${n}] ${v} vs ${expected.affine[n]}`));
}

/** A 6 x 5 x 4 phantom (0.5 x 0.5 x 2 mm) and a mask painted by `set`. */
function phantom(seed: string) {
  const written = writePhantom({ dir: path.join(dir, seed), seed, dims: [6, 5, 4], spacing: [0.5, 0.5, 2], origin: [-10, -20, 30], hu: () => 40 });
  const files = [...written.series.instances].reverse().map((i) => i.file);
  const affine = [0.5, 0, 0, -10, 0, 0.5, 0, -20, 0, 0, 2, 30, 0, 0, 0, 1];
  const mask = (set: (i: number, j: number, k: number) => boolean): FindingMask => {
    const grid = new Uint8Array(6 * 5 * 4);
    for (let k = 0; k < 4; k++) for (let j = 0; j < 5; j++) for (let i = 0; i < 6; i++) grid[i + 6 * (j + 5 * k)] = set(i, j, k) ? 1 : 0;
    return { seriesUid: written.series.seriesUid, dimensions: [6, 5, 4], affine, runs: runsOf(grid, 1) };
  };
  return { files, mask, seriesUid: written.series.seriesUid };
}

const HAEMORRHAGE = { scheme: 'SCT', value: '50960005', meaning: 'Hemorrhage' };
const LIVER = { scheme: 'SCT', value: '10200004', meaning: 'Liver structure' };
const EXTRAVASATION = { scheme: '99RADBRIDGE', value: 'active-extravasation', meaning: 'Active contrast extravasation' };

describe('binary segmentation writer', { skip }, () => {
  it('writes the head CT analyzer\'s haemorrhage mask as a valid SEG the hub reads back voxel for voxel', async () => {
    const study = writeCtStudy('trauma-ct-head', path.join(dir, 'head'), { seed: 1, normal: false, matrix: 64 });
    const { findings } = await createAnalyzer({}).analyze(study.input, new AbortController().signal);
    const masked = findings.filter((f) => f.mask && f.presence === 'present');
    assert.ok(masked.length > 0, 'the analyzer gives a mask');
    const doc = resultDocumentOf(study.instances.map((i) => i.file), findings);
    const dataset = binarySegmentation(doc);
    assert.ok(dataset);
    const { file, bytes } = write('head', dataset);
    assert.deepEqual(await dciodvfyErrors(file), []);
    const dump = await run('dcmdump', [file]);
    assert.equal(dump.code, 0, dump.stderr);
    const read = await readBack(doc, bytes);
    assert.equal(read.findings.length, masked.length);
    read.findings.forEach((back, n) => {
      const original = masked[n] as Finding;
      assertSameMask(back.mask, original.mask as FindingMask);
      assert.deepEqual([back.type, back.site, back.laterality, back.presence], [original.type, original.site, original.laterality, 'present']);
      assert.deepEqual([back.source.id, back.source.version, back.source.manufacturer], [TEST_ANALYZER.id, TEST_ANALYZER.version, TEST_ANALYZER.manufacturer]);
    });
  });

  it('writes the chest CT analyzer\'s pleural collections of a pan-scan\'s chest range on the whole series, read back the same', async () => {
    const { input } = writeChestStudy('trauma-ct-panscan', path.join(dir, 'panscan'), { seed: 3, normal: false, matrix: 128, thicknessMm: 10 });
    const { findings } = await createChestAnalyzer().analyze(input, new AbortController().signal);
    const masked = findings.filter((f) => f.mask && f.presence === 'present');
    assert.ok(masked.length >= 2, 'pneumothorax and haemothorax masks');
    const series = input.series.find((s) => s.seriesUid === masked[0]?.mask?.seriesUid);
    assert.ok(series);
    const doc = resultDocumentOf(series.instances.map((i) => i.file), findings);
    const dataset = binarySegmentation(doc);
    assert.ok(dataset);
    const { file, bytes } = write('panscan', dataset);
    assert.deepEqual(await dciodvfyErrors(file), []);
    const read = await readBack(doc, bytes);
    assert.equal(read.findings.length, masked.length);
    read.findings.forEach((back, n) => {
      assertSameMask(back.mask, masked[n]?.mask as FindingMask);
      assert.deepEqual([back.type, back.laterality], [masked[n]?.type, masked[n]?.laterality]);
    });
  });

  it('writes one segment per present finding with a mask, frames only on slices with set voxels, category by type', async () => {
    const p = phantom('segments');
    const blood = p.mask((i, j, k) => k === 1 && i >= 2 && i <= 3 && j <= 2);
    const liver = p.mask((i, j, k) => k >= 2 && i + j < 4);
    const fluid = p.mask((i, _j, k) => k === 3 && i === 5);
    const findings = [
      finding(HAEMORRHAGE, { mask: blood, site: { scheme: 'SCT', value: '1101003', meaning: 'Intracranial structure' }, laterality: 'right' }),
      finding(HAEMORRHAGE, { location: { images: [] } }),
      finding(LIVER, { site: LIVER, mask: liver }),
      finding(EXTRAVASATION, { mask: fluid, presence: 'absent' }),
      finding(EXTRAVASATION, { mask: fluid, laterality: 'left' }),
    ];
    const doc = resultDocumentOf(p.files, findings);
    const dataset = binarySegmentation(doc);
    assert.ok(dataset);
    const segments = dataset.SegmentSequence as Array<Record<string, unknown>>;
    assert.deepEqual(segments.map((s) => s.SegmentLabel), ['Hemorrhage', 'Liver structure', 'Active contrast extravasation']);
    const category = (s: Record<string, unknown>) => (s.SegmentedPropertyCategoryCodeSequence as Array<Record<string, string>>)[0]?.CodeValue;
    assert.deepEqual(segments.map(category), ['49755003', '91723000', '49755003']);
    const typeCode = (segments[2]?.SegmentedPropertyTypeCodeSequence as Array<Record<string, string>>)[0];
    const left = { CodeValue: '7771000', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Left' };
    assert.deepEqual(
      typeCode,
      { LongCodeValue: 'active-extravasation', CodingSchemeDesignator: '99RADBRIDGE', CodeMeaning: 'Active contrast extravasation', SegmentedPropertyTypeModifierCodeSequence: [left] },
      'a local code longer than 16 characters is a Long Code Value; a side without a site modifies the type',
    );
    assert.deepEqual(segments.map((s) => [s.TrackingID, s.TrackingUID]), [0, 2, 4].map((i) => [findingTracking(doc, i).id, findingTracking(doc, i).uid]), 'each segment tracks its finding as the SR does');
    assert.equal(dataset.NumberOfFrames, 1 + 2 + 1);
    const { file, bytes } = write('segments', dataset);
    assert.deepEqual(await dciodvfyErrors(file), []);
    const read = await readBack(doc, bytes);
    assert.equal(read.findings.length, 3);
    assertSameMask(read.findings[0]?.mask, blood);
    assertSameMask(read.findings[1]?.mask, liver);
    assertSameMask(read.findings[2]?.mask, fluid);
    assert.deepEqual([read.findings[0]?.site?.value, read.findings[0]?.laterality], ['1101003', 'right']);
    assert.deepEqual(read.findings[1]?.site, LIVER);
    assert.equal(read.findings[2]?.laterality, 'left');
    const frames = dataset.PerFrameFunctionalGroupsSequence as Array<Record<string, Array<Record<string, unknown>>>>;
    const sourceOf = (f: (typeof frames)[number]) => ((f.DerivationImageSequence?.[0]?.SourceImageSequence as Array<Record<string, string>>)[0])?.ReferencedSOPInstanceUID;
    assert.deepEqual(frames.map(sourceOf), [1, 2, 3, 3].map((k) => doc.sources.find((s) => s.imagePositionPatient?.[2] === 30 + 2 * k)?.sopInstanceUid), 'each frame derives from the slice it lies on');
  });

  it('gives the same UIDs and bytes when written twice, a new instance for a new revision, and no object without masks', () => {
    const p = phantom('uids');
    const findings = [finding(HAEMORRHAGE, { mask: p.mask((i, j, k) => i === j && k === 0) })];
    const once = binarySegmentation(resultDocumentOf(p.files, findings));
    const twice = binarySegmentation(resultDocumentOf(p.files, findings));
    assert.ok(once && twice);
    assert.deepEqual(part10Bytes(once), part10Bytes(twice));
    assert.equal(once.SOPInstanceUID, resultUid('result-1', 'seg/instance/1'));
    assert.equal(once.SeriesInstanceUID, resultUid('result-1', 'seg/series'));
    const amended = binarySegmentation(resultDocumentOf(p.files, findings, { revision: 2 }));
    assert.notEqual(amended?.SOPInstanceUID, once.SOPInstanceUID);
    assert.equal(amended?.SeriesInstanceUID, once.SeriesInstanceUID);
    assert.equal(binarySegmentation(resultDocumentOf(p.files, [finding(HAEMORRHAGE)])), undefined, 'no mask, no SEG');
    assert.equal(binarySegmentation(resultDocumentOf(p.files, [finding(HAEMORRHAGE, { mask: p.mask(() => false) })])), undefined, 'an empty mask, no SEG');
  });

  it('refuses a mask that does not fit its source images, and a source image without geometry', () => {
    const p = phantom('refusals');
    const good = p.mask((i, j, k) => i === j && k === 2);
    const write = (mask: FindingMask, transform: (doc: ResultDocument) => ResultDocument = (d) => d) => () => binarySegmentation(transform(resultDocumentOf(p.files, [finding(HAEMORRHAGE, { mask })])));
    assert.throws(write({ ...good, dimensions: [6, 5, 5] }), (err) => isRefusal(err) && /5 slice\(s\), the series 4/.test(String(err)));
    assert.throws(write({ ...good, dimensions: [5, 6, 4] }), (err) => isRefusal(err) && /5 x 6/.test(String(err)));
    assert.throws(write({ ...good, affine: good.affine.map((v, n) => (n === 11 ? v + 1 : v)) }), (err) => isRefusal(err) && /slice 0 lies at/.test(String(err)));
    assert.throws(write({ ...good, affine: good.affine.map((v, n) => (n === 0 ? 0.6 : v)) }), (err) => isRefusal(err) && /axes differ/.test(String(err)));
    assert.throws(write({ ...good, seriesUid: '1.2.3' }), isRefusal);
    assert.throws(write(good, (d) => ({ ...d, sources: d.sources.map((s, n) => (n === 1 ? { ...s, imagePositionPatient: undefined } : s)) })), (err) => isRefusal(err) && /has no imagePositionPatient/.test(String(err)));
    assert.throws(write({ ...good, runs: [200, 30] }), (err) => isRefusal(err) && /beyond its 6 x 5 x 4 grid/.test(String(err)));
    assert.throws(write(good, (d) => ({ ...d, patientStudy: { ...d.patientStudy, StudyInstanceUID: undefined } })), (err) => isRefusal(err) && /no Study Instance UID/.test(String(err)));
  });
});
