import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readDicomObject } from '../src/analyze/import/dicom-object.js';
import { srDisplay, type DisplayedItem, type DisplayedReport } from '../src/analyze/import/sr-display.js';
import { part10Bytes } from '../src/publish/part10-bytes.js';
import { resultUid } from '../src/publish/result-uids.js';
import { measurementReport } from '../src/publish/sr/measurement-report.js';
import { writeWithXml2dsr } from './support/dcmtk-sr.js';
import { missingTools } from './support/interop.js';
import { DEVICE, measurementReportXml, type ReportUids } from './support/measurement-report.js';
import { HEAD_SERIES, headDocument, STUDY_UID } from './support/result-documents.js';
import { stow } from './support/stow-client.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';

/** SR documents, the hub's and a third party's, as display-ready JSON, and the route that serves them. */

const ours = () => part10Bytes(measurementReport(headDocument()));

/** Depth-first: every item of the tree. */
const all = (items: DisplayedItem[]): DisplayedItem[] => items.flatMap((i) => [i, ...all(i.children)]);
const find = (report: DisplayedReport, concept: string): DisplayedItem[] => all(report.items).filter((i) => i.concept === concept);

const secondaryCapture = (studyUid: string, seriesUid: string, sopInstanceUid: string) =>
  part10Bytes({
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
    SOPInstanceUID: sopInstanceUid,
    StudyInstanceUID: studyUid,
    SeriesInstanceUID: seriesUid,
    Modality: 'OT',
    PatientID: 'P-SR-1',
    PatientName: 'Test^Trauma',
  });

describe('SR display', () => {
  it("shows the hub's Measurement Report: title, flags, device observer, and each value as text", () => {
    const report = srDisplay(readDicomObject(ours()));
    assert.equal(report.documentType, 'Comprehensive 3D SR');
    assert.equal(report.title, 'Imaging Measurement Report');
    assert.deepEqual([report.completion, report.verification, report.contentDate, report.contentTime], ['COMPLETE', 'UNVERIFIED', '2026-03-01', '10:20:30']);
    assert.deepEqual(report.observers, [
      { type: 'device', uid: resultUid('head-ct', 'device-observer'), name: 'Head CT haemorrhage and midline shift', manufacturer: 'Radbridge', model: 'head-ct', serialNumber: '1.0.0' },
    ]);
    assert.deepEqual(find(report, 'Finding').map((i) => [i.relationship, i.value]), [['CONTAINS', 'Intracranial hemorrhage'], ['CONTAINS', 'Midline shift of brain']]);
    const [byCount, byAbc] = find(report, 'Volume');
    assert.equal(byCount?.value, '14.37 mL');
    assert.deepEqual(byCount?.number, { value: 14.37, unit: { scheme: 'UCUM', value: 'mL', meaning: 'milliliter' } });
    assert.deepEqual(byCount?.children.map((c) => [c.concept, c.value]), [['Algorithm Name', 'voxel count'], ['Algorithm Version', '1.0.0']]);
    assert.match(byAbc?.children[0]?.value ?? '', /^ABC\/2: A 41\.2 mm/);
    assert.equal(find(report, 'Certainty of Finding')[0]?.value, '95 %');
    assert.equal(find(report, 'Distance')[0]?.value, '6.4 mm');
    const [site] = find(report, 'Finding Site');
    assert.deepEqual([site?.value, site?.children[0]?.concept, site?.children[0]?.value], ['Intracranial structure', 'Laterality', 'Left']);
    assert.equal(find(report, 'Intracranial hemorrhage')[0]?.value, 'Present', 'the presence evaluation');
    const [source] = find(report, 'Source');
    assert.deepEqual(source?.image, { seriesUid: HEAD_SERIES, sopClassUid: '1.2.840.10008.5.1.4.1.1.2', sopInstanceUid: `${HEAD_SERIES}.2`, frames: [] });
    assert.equal(source?.value, `series ${HEAD_SERIES}, instance ${HEAD_SERIES}.2`);
    const [centre] = find(report, 'Center');
    assert.equal(centre?.value, 'POINT (31.6406, -12.6953, 12.5) mm');
    assert.equal(centre?.coordinates?.frameOfReferenceUid, headDocument().sources[0]?.frameOfReferenceUid);
    assert.equal(find(report, 'Volume Surface')[0]?.coordinates?.points.length, 6);
    const library = find(report, 'Image Library Group')[0];
    assert.equal(library?.children.length, 6);
    assert.equal(library?.children[0]?.concept, undefined, 'an Image Library entry has no concept name');
  });

  it('refuses an object that is not an SR document', () => {
    const object = readDicomObject(secondaryCapture(STUDY_UID, `${STUDY_UID}.8`, `${STUDY_UID}.8.1`));
    assert.throws(() => srDisplay(object), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'NOT_A_STRUCTURED_REPORT');
      assert.match(err.message, /SOP class 1\.2\.840\.10008\.5\.1\.4\.1\.1\.7, not an SR document/);
      return true;
    });
  });
});

describe('SR display of a third-party TID 1500 report', { skip: missingTools('xml2dsr') }, () => {
  let dir: string;
  const root = '1.2.826.0.1.3680043.10.999.4';
  const uids: ReportUids = { studyUid: `${root}.1`, seriesUid: `${root}.1.9`, instanceUid: `${root}.1.9.1`, imageSeriesUid: `${root}.1.2`, imageUid: `${root}.1.2.7`, frameOfReferenceUid: `${root}.1.5` };
  let report: DisplayedReport;
  before(async () => {
    dir = tempDir('radbridge-sr-display-');
    const file = path.join(dir, 'third-party.dcm');
    await writeWithXml2dsr(measurementReportXml(uids), file);
    report = srDisplay(readDicomObject(readFileSync(file)));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('shows its observer, planar and volumetric groups, image region and 3D point', () => {
    assert.equal(report.title, 'Imaging Measurement Report');
    assert.deepEqual(report.observers, [{ type: 'device', uid: DEVICE.uid, manufacturer: DEVICE.manufacturer, model: DEVICE.model }]);
    assert.deepEqual(find(report, 'Finding').map((i) => i.value), ['Fracture', 'Hemorrhage']);
    assert.equal(find(report, 'Long Axis')[0]?.value, '23.5 mm');
    assert.equal(find(report, 'Certainty of Finding')[0]?.value, '87 %');
    const [region, point] = find(report, 'Image Region');
    assert.equal(region?.value, 'POLYLINE (10, 20) (30, 20) (30, 40) (10, 40) (10, 20)');
    assert.equal(region?.children[0]?.value, `series ${uids.imageSeriesUid}, instance ${uids.imageUid}`);
    assert.equal(region?.children[0]?.relationship, 'SELECTED FROM');
    assert.deepEqual(point?.coordinates, { graphicType: 'POINT', points: [[12.5, -40, 65]], frameOfReferenceUid: uids.frameOfReferenceUid });
    assert.deepEqual(find(report, 'Algorithm Version').map((i) => i.value), ['3.4']);
    assert.deepEqual(find(report, 'Tracking Identifier').map((i) => [i.relationship, i.value]), [['HAS OBS CONTEXT', 'fracture 1'], ['HAS OBS CONTEXT', 'haemorrhage 1']]);
  });
});

describe('GET /api/studies/{study}/series/{series}/instances/{instance}/sr', () => {
  let hub: TestHub;
  const doc = headDocument();
  const report = measurementReport(doc);
  const srPath = `/api/studies/${STUDY_UID}/series/${String(report.SeriesInstanceUID)}/instances/${String(report.SOPInstanceUID)}/sr`;
  before(async () => {
    hub = await startTestHub();
    const stored = await stow(hub.url, [part10Bytes(report), secondaryCapture(STUDY_UID, `${STUDY_UID}.8`, `${STUDY_UID}.8.1`)]);
    assert.equal(stored.status, 200);
  });
  after(() => hub.stop());

  it('answers a stored SR as display JSON and audits the read', async () => {
    const response = await fetch(`${hub.url}${srPath}`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as DisplayedReport;
    assert.equal(body.title, 'Imaging Measurement Report');
    assert.equal(body.sopInstanceUid, report.SOPInstanceUID);
    assert.equal(find(body, 'Volume')[0]?.value, '14.37 mL');
    const audited = await hub.app.database.db.selectFrom('audit_log').select(['outcome', 'study_uid', 'detail']).where('event_type', '=', 'instances.retrieved').execute();
    assert.ok(audited.some((a) => a.outcome === 'success' && a.study_uid === STUDY_UID && String(a.detail).includes('sr-display')), JSON.stringify(audited));
  });

  it('answers 404 for an unknown instance and 422 NOT_A_STRUCTURED_REPORT for an image, audited as failures', async () => {
    const unknown = await fetch(`${hub.url}/api/studies/${STUDY_UID}/series/${HEAD_SERIES}/instances/1.2.3.4/sr`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: string }).error, 'NOT_FOUND');
    const image = await fetch(`${hub.url}/api/studies/${STUDY_UID}/series/${STUDY_UID}.8/instances/${STUDY_UID}.8.1/sr`);
    assert.equal(image.status, 422);
    assert.equal(((await image.json()) as { error: string }).error, 'NOT_A_STRUCTURED_REPORT');
    const bad = await fetch(`${hub.url}/api/studies/${STUDY_UID}/series/not-a-uid/instances/1.2/sr`);
    assert.equal(bad.status, 400);
    const failures = await hub.app.database.db.selectFrom('audit_log').select('outcome').where('event_type', '=', 'instances.retrieved').where('outcome', '=', 'minor-failure').execute();
    assert.equal(failures.length, 3);
  });
});
