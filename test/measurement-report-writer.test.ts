import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readResultObject } from '../src/analyze/import/result-object-reader.js';
import type { Finding } from '../src/domain/finding.js';
import { part10Bytes } from '../src/publish/part10-bytes.js';
import type { ResultDocument } from '../src/publish/result-document.js';
import { resultUid } from '../src/publish/result-uids.js';
import { COMPREHENSIVE_3D_SR, ENHANCED_SR, measurementReport } from '../src/publish/sr/measurement-report.js';
import { inscribedEllipsoid } from '../src/publish/sr/measurement-group.js';
import { SEGMENTATION_CLASS, segmentReferences } from '../src/publish/seg/binary-segmentation.js';
import { decimalString, type Item } from '../src/publish/sr/sr-content-items.js';
import { dsrdump } from './support/dcmtk-sr.js';
import { dciodvfyErrors } from './support/dicom-dump.js';
import { missingTools } from './support/interop.js';
import { chestDocument, haemorrhage, HEAD_SERIES, headDocument, indeterminateShift, midlineShift, STUDY_UID } from './support/result-documents.js';
import { tempDir } from './support/test-hub.js';

/** The TID 1500 Measurement Report writer: valid objects, read back by the hub's own SR reader into the same findings. */

const skip = missingTools('dsrdump', 'dciodvfy');

/** What an SR carries of a finding: all but the mask (that is the SEG's), with coordinates at the 32-bit precision of SCOORD3D. */
function asCarried(f: Finding): Finding {
  const rest = { ...f };
  delete rest.mask;
  const location = f.location && {
    ...f.location,
    ...(f.location.point ? { point: f.location.point.map(Math.fround) as [number, number, number] } : {}),
    ...(f.location.box ? { box: f.location.box.map((p) => p.map(Math.fround)) as [[number, number, number], [number, number, number]] } : {}),
  };
  return { ...rest, ...(location ? { location } : {}) };
}

async function readBack(doc: ResultDocument): Promise<{ findings: Finding[]; notes: string[] }> {
  const inputHash = doc.findings[0]?.source.inputHash ?? '';
  return readResultObject(part10Bytes(measurementReport(doc)), { inputHash, importer: { id: 'importer', version: '1' }, planes: new Map() });
}

const contentOf = (item: Item): Item[] => (item.ContentSequence as Item[] | undefined) ?? [];
const conceptOf = (item: Item): string => ((item.ConceptNameCodeSequence as Item[] | undefined)?.[0]?.CodeValue as string | undefined) ?? '';

const rejects = (doc: ResultDocument, pattern: RegExp) =>
  assert.throws(() => measurementReport(doc), (err: Error & { code?: string; issues?: string[] }) => {
    assert.equal(err.code, 'RESULT_DOCUMENT_INVALID');
    assert.match(err.message, pattern);
    assert.ok((err.issues ?? []).some((i) => pattern.test(i)), 'the problem is among the issues');
    return true;
  });

describe('Measurement Report writer', () => {
  it('reads back into the findings it was written from: type, presence, site, side, measurements with units and methods, confidence, images, point, box, source', async () => {
    for (const doc of [headDocument(), headDocument([indeterminateShift]), chestDocument()]) {
      const { findings, notes } = await readBack(doc);
      assert.deepEqual(notes, []);
      assert.deepEqual(findings, doc.findings.map(asCarried));
    }
  });

  it('is a Comprehensive 3D SR when a finding has a point or box, an Enhanced SR otherwise', () => {
    assert.equal(measurementReport(headDocument()).SOPClassUID, COMPREHENSIVE_3D_SR);
    assert.equal(measurementReport(headDocument([indeterminateShift])).SOPClassUID, ENHANCED_SR);
  });

  it('writes the same UIDs and bytes every time; a revision has its own instance in the same series', () => {
    const first = measurementReport(headDocument());
    assert.deepEqual(part10Bytes(measurementReport(headDocument())), part10Bytes(first));
    assert.equal(first.SOPInstanceUID, resultUid('analysis-result-42', 'sr/instance/1'));
    assert.equal(first.SeriesInstanceUID, resultUid('analysis-result-42', 'sr/series'));
    const amended = measurementReport(headDocument(undefined, 2));
    assert.notEqual(amended.SOPInstanceUID, first.SOPInstanceUID);
    assert.equal(amended.SOPInstanceUID, resultUid('analysis-result-42', 'sr/instance/2'));
    assert.equal(amended.SeriesInstanceUID, first.SeriesInstanceUID);
    assert.equal(amended.InstanceNumber, '2');
  });

  it('refers an amended report to the one it replaces; the first has no predecessor', () => {
    const doc = headDocument(undefined, 2);
    const amended = measurementReport(doc);
    assert.deepEqual(amended.PredecessorDocumentsSequence, [
      {
        StudyInstanceUID: STUDY_UID,
        ReferencedSeriesSequence: [{ SeriesInstanceUID: doc.predecessor?.seriesUid, ReferencedSOPSequence: [{ ReferencedSOPClassUID: doc.predecessor?.sopClassUid, ReferencedSOPInstanceUID: doc.predecessor?.sopInstanceUid }] }],
      },
    ]);
    assert.equal(measurementReport(headDocument()).PredecessorDocumentsSequence, undefined);
  });

  it('lists every source image as evidence, by series, and copies patient and study from the document', () => {
    const report = measurementReport(headDocument());
    const [study] = report.CurrentRequestedProcedureEvidenceSequence as Array<{ StudyInstanceUID: string; ReferencedSeriesSequence: Array<{ SeriesInstanceUID: string; ReferencedSOPSequence: unknown[] }> }>;
    assert.equal(study?.StudyInstanceUID, STUDY_UID);
    assert.deepEqual(study?.ReferencedSeriesSequence.map((s) => [s.SeriesInstanceUID, s.ReferencedSOPSequence.length]), [[HEAD_SERIES, 6]]);
    assert.deepEqual([report.PatientID, report.AccessionNumber, report.StudyInstanceUID, report.Manufacturer, report.CompletionFlag, report.VerificationFlag], ['P-SR-1', 'ACC42', STUDY_UID, 'Radbridge', 'COMPLETE', 'UNVERIFIED']);
    assert.match(String(report.SeriesDescription), /Head CT haemorrhage/);
    assert.deepEqual([report.ContentDate, report.ContentTime], ['20260301', '102030']);
  });

  it('refers each segmented finding to its segment of the SEG beside it, lists the SEG as evidence, and reads back into the same findings', async () => {
    const doc = headDocument();
    const segments = segmentReferences(doc);
    const segment = segments.get(0);
    assert.ok(segment, 'the haemorrhage has a segment');
    assert.equal(segments.get(1), undefined, 'the midline shift has no mask, so no segment');
    const report = measurementReport(doc, segments);
    const groups = contentOf(contentOf(report).find((i) => conceptOf(i) === '126010') ?? {});
    const referenced = contentOf(groups[0] ?? {}).filter((i) => ['121191', '121232'].includes(conceptOf(i)));
    assert.deepEqual(referenced.map((i) => [i.ValueType, i.RelationshipType]), [['IMAGE', 'CONTAINS'], ['UIDREF', 'CONTAINS']]);
    assert.deepEqual((referenced[0]?.ReferencedSOPSequence as Item[])[0], { ReferencedSOPClassUID: SEGMENTATION_CLASS, ReferencedSOPInstanceUID: segment.sopInstanceUid, ReferencedSegmentNumber: 1 });
    assert.equal(referenced[1]?.UID, HEAD_SERIES);
    assert.equal(contentOf(groups[1] ?? {}).filter((i) => conceptOf(i) === '121191').length, 0);
    const [study] = report.CurrentRequestedProcedureEvidenceSequence as Array<{ ReferencedSeriesSequence: Array<{ SeriesInstanceUID: string; ReferencedSOPSequence: Item[] }> }>;
    assert.deepEqual(study?.ReferencedSeriesSequence.map((s) => s.SeriesInstanceUID), [HEAD_SERIES, segment.seriesUid]);
    const read = await readResultObject(part10Bytes(report), { inputHash: doc.findings[0]?.source.inputHash ?? '', importer: { id: 'importer', version: '1' }, planes: new Map() });
    assert.deepEqual(read.notes, []);
    assert.deepEqual(read.findings, doc.findings.map(asCarried));
  });

  it('writes a box as the ellipsoid inscribed in it, whose bounding box is the box', () => {
    const points = inscribedEllipsoid([[0, -5, 25], [3, 1, 35]]);
    assert.equal(points.length, 6);
    assert.deepEqual([0, 1, 2].map((a) => [Math.min(...points.map((p) => p[a] ?? 0)), Math.max(...points.map((p) => p[a] ?? 0))]), [[0, 3], [-5, 1], [25, 35]]);
  });

  it('writes any number as a Decimal String of at most 16 characters, within a relative 1e-9 of it (Floating Point Value carries the rest)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    for (let n = 0; n < 2000; n++) {
      const value = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      const ds = decimalString(value);
      assert.ok(ds.length <= 16 && /^[-+]?[\d.]+(e[-+]?\d+)?$/.test(ds), `${value} as ${ds}`);
      assert.ok(Math.abs(Number(ds) - value) <= Math.abs(value) * 1e-9, `${value} as ${ds}`);
    }
    assert.deepEqual([100, 12.5, -0.25, 56.99999999999999].map(decimalString), ['100', '12.5', '-0.25', '57']);
  });

  it('refuses a finding on an image that is not among the sources, naming it', () => {
    const stray = { ...midlineShift, location: { images: [{ seriesUid: HEAD_SERIES, sopInstanceUid: '1.2.3.999' }] } };
    rejects(headDocument([stray]), /finding 1 \(Midline shift of brain\) refers to image 1\.2\.3\.999, which is not among the source images/);
    rejects(headDocument([{ ...midlineShift, location: { images: [{ seriesUid: '1.2.3.998' }] } }]), /series 1\.2\.3\.998, which has no source image/);
  });

  it('refuses a measurement whose unit is not a UCUM code', () => {
    const [volume] = haemorrhage.measurements;
    assert.ok(volume);
    const local = { ...haemorrhage, measurements: [{ ...volume, unit: { scheme: '99LOCAL', value: 'ml', meaning: 'millilitre' } }] };
    rejects(headDocument([local]), /measurement Volume has unit ml in scheme 99LOCAL; units must be UCUM codes/);
  });

  it('refuses a confidence outside 0..1, a point without a frame of reference and an amendment without its predecessor', () => {
    rejects(headDocument([{ ...haemorrhage, confidence: 87 }]), /confidence 87 is not within 0\.\.1/);
    const doc = headDocument([midlineShift]);
    rejects({ ...doc, sources: doc.sources.map(({ frameOfReferenceUid: _f, ...s }) => s) }, /has a point or box but its source images name no single Frame of Reference UID/);
    rejects({ ...headDocument(), revision: 2 }, /revision 2 amends a report but names no predecessor/);
  });
});

describe('Measurement Report writer, checked by DCMTK and dicom3tools', { skip }, () => {
  let dir: string;
  const files: Record<string, string> = {};
  before(() => {
    dir = tempDir('radbridge-sr-writer-');
    const docs = { head: headDocument(), enhanced: headDocument([indeterminateShift]), chest: chestDocument(), amended: headDocument(undefined, 2) };
    for (const [name, doc] of Object.entries(docs)) {
      files[name] = path.join(dir, `${name}.dcm`);
      writeFileSync(files[name], part10Bytes(measurementReport(doc)));
    }
    files.segmented = path.join(dir, 'segmented.dcm');
    writeFileSync(files.segmented, part10Bytes(measurementReport(headDocument(), segmentReferences(headDocument()))));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('dciodvfy finds no errors in any of them', async () => {
    for (const [name, file] of Object.entries(files)) assert.deepEqual(await dciodvfyErrors(file), [], name);
  });

  it('dsrdump shows the report, its device observer, groups, measurements and coordinates', async () => {
    const dump = await dsrdump(files.head ?? '');
    assert.match(dump, /Comprehensive 3D SR Document/);
    assert.match(dump, /CONTAINER:\(,,"Imaging Measurement Report"\)/);
    assert.match(dump, /"Device Observer Model Name"\)="head-ct"/);
    assert.match(dump, /"Finding"\)=\(1386000,SCT,"Intracranial hemorrhage"\)/);
    assert.match(dump, /"Volume"\)="14\.37" \(mL,UCUM,"milliliter"\)/);
    assert.match(dump, /"Algorithm Name"\)="voxel count"/);
    assert.match(dump, /"Certainty of Finding"\)="95" \(%,UCUM,"Percent"\)/);
    assert.match(dump, /SCOORD3D:\(,,"Center"\)=\(POINT,/);
    assert.match(dump, /SCOORD3D:\(,,"Volume Surface"\)=\(ELLIPSOID,/);
    assert.doesNotMatch(dump, /,SRT,/, 'no retired SRT code');
    assert.match(await dsrdump(files.enhanced ?? ''), /Enhanced SR Document/);
    assert.match(await dsrdump(files.chest ?? ''), /"Algorithm Parameters"\)="model-sha256=a+/);
  });

  it('dsrdump shows the Referenced Segment of a segmented finding', async () => {
    const dump = await dsrdump(files.segmented ?? '');
    assert.match(dump, /IMAGE:\(,,"Referenced Segment"\)=\(SG image,,1\)/, 'a segmentation image, segment 1');
    assert.match(dump, /UIDREF:\(,,"Source series for segmentation"\)="[\d.]+"/);
  });
});
