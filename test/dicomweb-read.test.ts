import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyAuditChain } from '../src/store/audit-log.js';
import { first, getJson, getMultipart, uidsOf } from './support/dicomweb-client.js';
import { missingTools } from './support/interop.js';
import { frameOf, loadReadFixtures, NATIVE_FRAME_BYTES, writeReadFixtures } from './support/read-fixtures.js';
import { uidFrom, type WrittenSeries } from './support/synthetic-ct.js';
import { postgresDatabase, startTestHub, tempDir, type Overrides, type TestHub } from './support/test-hub.js';

const skip = missingTools('storescu', 'dcmcjpeg');

const STUDY_UID = '0020000D';
const SERIES_UID = '0020000E';
const SOP_UID = '00080018';
const PATIENT_NAME = '00100010';
const JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70';

/** The same read side runs on the embedded SQLite index and on the machine's PostgreSQL. */
const databases: Array<[string, () => Overrides]> = [
  ['sqlite', () => ({ kind: 'sqlite' })],
  ['postgres', postgresDatabase],
];

for (const [databaseName, database] of databases) {
  describe(`DICOMweb read side on ${databaseName}: QIDO-RS and WADO-RS`, { skip }, () => {
    let hub: TestHub;
    const dir = tempDir();
    const fixtures = writeReadFixtures(dir);
    const { studyA, studyB, studyC, a1, a2, b1, nativeFrames, jpeg } = fixtures;
    const instanceUrl = (study: string, s: WrittenSeries, i = 0) => `${hub.url}/dicomweb/studies/${study}/series/${s.seriesUid}/instances/${s.sopInstanceUids[i]}`;
    const storedFile = async (sopInstanceUid: string) => {
      const row = await hub.app.database.db.selectFrom('instances').select(['file_path', 'transfer_syntax_uid']).where('sop_instance_uid', '=', sopInstanceUid).executeTakeFirstOrThrow();
      return { bytes: readFileSync(path.join(hub.dataDir, row.file_path)), ts: row.transfer_syntax_uid };
    };

    before(async () => {
      hub = await startTestHub({ database: database() });
      await loadReadFixtures(fixtures, dir, hub.dicomPort);
    });
    after(async () => {
      await hub.stop();
    });

    describe('QIDO-RS', () => {
      it('searches all studies with the default study attributes, 200 and [] when nothing matches', async () => {
        const r = await getJson(`${hub.url}/dicomweb/studies`);
        assert.equal(r.status, 200);
        assert.match(r.headers.get('content-type') ?? '', /^application\/dicom\+json/);
        assert.deepEqual(uidsOf(r.body, STUDY_UID), [studyA, studyB, studyC].sort());
        const a = r.body.find((d) => first(d, STUDY_UID) === studyA);
        assert.deepEqual(first(a, PATIENT_NAME), { Alphabetic: 'TRAUMA^SYNTHETIC' });
        assert.equal(first(a, '00100020'), 'P-0001');
        assert.equal(first(a, '00080050'), 'ACC-A');
        assert.deepEqual(a?.['00080061']?.Value, ['CT', 'MR']);
        assert.equal(first(a, '00201206'), 2);
        assert.equal(first(a, '00201208'), 5);
        assert.equal(first(a, '00081190'), `${hub.url}/dicomweb/studies/${studyA}`);
        for (const tag of ['00080020', '00080030', '00080090', '00100030', '00100040', '00200010', '00081030']) assert.ok(a?.[tag], `default attribute ${tag}`);
        const none = await getJson(`${hub.url}/dicomweb/studies?PatientID=NOBODY`);
        assert.equal(none.status, 200);
        assert.deepEqual(none.body, []);
      });

      it('matches PatientName by wildcard and by value regardless of case', async () => {
        const wildcard = await getJson(`${hub.url}/dicomweb/studies?PatientName=doe*`);
        assert.deepEqual(uidsOf(wildcard.body, STUDY_UID), [studyB, studyC].sort());
        const single = await getJson(`${hub.url}/dicomweb/studies?PatientName=trauma%5Esynthetic`);
        assert.deepEqual(uidsOf(single.body, STUDY_UID), [studyA]);
        const question = await getJson(`${hub.url}/dicomweb/studies?00100010=D%3FE%5EJANE`);
        assert.deepEqual(uidsOf(question.body, STUDY_UID), [studyB, studyC].sort());
        const literal = await getJson(`${hub.url}/dicomweb/studies?PatientID=P_000*`);
        assert.deepEqual(literal.body, [], 'an underscore is a literal character, not a SQL wildcard');
        assert.equal(literal.status, 200);
      });

      it('matches UID lists separated by commas or backslashes, by keyword or tag', async () => {
        const comma = await getJson(`${hub.url}/dicomweb/studies?StudyInstanceUID=${studyA},${studyC}`);
        assert.deepEqual(uidsOf(comma.body, STUDY_UID), [studyA, studyC].sort());
        const backslash = await getJson(`${hub.url}/dicomweb/studies?0020000d=${studyB}%5C${studyC}`);
        assert.deepEqual(uidsOf(backslash.body, STUDY_UID), [studyB, studyC].sort());
      });

      it('matches date and time ranges, open at either end', async () => {
        const ofDates = async (query: string) => {
          const r = await getJson(`${hub.url}/dicomweb/studies?${query}`);
          assert.equal(r.status, 200, r.error?.message);
          return uidsOf(r.body, STUDY_UID);
        };
        assert.deepEqual(await ofDates('StudyDate=20250101-20251231'), [studyB, studyC].sort());
        assert.deepEqual(await ofDates('StudyDate=20260101-'), [studyA]);
        assert.deepEqual(await ofDates('StudyDate=-20250310'), [studyB]);
        assert.deepEqual(await ofDates('StudyDate=20250311'), [studyC]);
        assert.deepEqual(await ofDates('StudyTime=140000-150000'), [studyC]);
        assert.deepEqual(await ofDates('ModalitiesInStudy=MR'), [studyA]);
        assert.deepEqual(await ofDates('AccessionNumber=ACC-?&PatientID=P-0002'), [studyB, studyC].sort());
      });

      it('pages with limit and offset and warns when more results exist', async () => {
        const all = (await getJson(`${hub.url}/dicomweb/studies`)).body.map((d) => first(d, STUDY_UID));
        const page = await getJson(`${hub.url}/dicomweb/studies?limit=1&offset=1`);
        assert.deepEqual(page.body.map((d) => first(d, STUDY_UID)), [all[1]]);
        assert.match(page.headers.get('warning') ?? '', /^299 /);
        const last = await getJson(`${hub.url}/dicomweb/studies?limit=5&offset=2`);
        assert.deepEqual(last.body.map((d) => first(d, STUDY_UID)), [all[2]]);
        assert.equal(last.headers.get('warning'), null);
      });

      it('returns attributes named by includefield, or all it holds', async () => {
        const plain = await getJson(`${hub.url}/dicomweb/studies/${studyA}/series?SeriesNumber=1`);
        assert.equal(plain.body.length, 1);
        assert.equal(plain.body[0]?.['00181030'], undefined);
        const named = await getJson(`${hub.url}/dicomweb/studies/${studyA}/series?SeriesNumber=1&includefield=ProtocolName`);
        assert.equal(first(named.body[0], '00181030'), 'TRAUMA WB');
        const all = await getJson(`${hub.url}/dicomweb/studies/${studyA}/series?SeriesNumber=1&includefield=all`);
        assert.equal(first(all.body[0], '00080070'), 'Radbridge Synthetic');
        const bad = await getJson(`${hub.url}/dicomweb/studies?includefield=NoSuchKeyword`);
        assert.equal(bad.status, 400);
      });

      it('searches series at the top level with study attributes, and within a study without them', async () => {
        const mr = await getJson(`${hub.url}/dicomweb/series?Modality=MR`);
        assert.deepEqual(uidsOf(mr.body, SERIES_UID), [a2.seriesUid]);
        const s = mr.body[0];
        assert.deepEqual(first(s, PATIENT_NAME), { Alphabetic: 'TRAUMA^SYNTHETIC' });
        assert.equal(first(s, '0008103E'), 'SAG T1');
        assert.equal(first(s, '00180015'), 'HEAD');
        assert.equal(first(s, '00200011'), 2);
        assert.equal(first(s, '00201209'), 2);
        assert.equal(first(s, '00081190'), `${hub.url}/dicomweb/studies/${studyA}/series/${a2.seriesUid}`);
        const within = await getJson(`${hub.url}/dicomweb/studies/${studyA}/series`);
        assert.deepEqual(uidsOf(within.body, SERIES_UID), [a1.seriesUid, a2.seriesUid].sort());
        assert.ok(within.body.every((d) => first(d, STUDY_UID) === studyA && d[PATIENT_NAME] === undefined));
        const described = await getJson(`${hub.url}/dicomweb/series?SeriesDescription=AXIAL*&BodyPartExamined=CHEST&PatientID=P-0001`);
        assert.deepEqual(uidsOf(described.body, SERIES_UID), [a1.seriesUid]);
      });

      it('searches instances at every level', async () => {
        const top = await getJson(`${hub.url}/dicomweb/instances?PatientID=P-0002&SOPClassUID=1.2.840.10008.5.1.4.1.1.2`);
        assert.equal(top.body.length, 2 + Object.keys(jpeg).length);
        assert.ok(top.body.every((d) => first(d, PATIENT_NAME) !== undefined && first(d, '0008103E') !== undefined));
        const inStudy = await getJson(`${hub.url}/dicomweb/studies/${studyA}/instances`);
        assert.deepEqual(uidsOf(inStudy.body, SOP_UID), [...a1.sopInstanceUids, ...a2.sopInstanceUids].sort());
        const inSeries = await getJson(`${hub.url}/dicomweb/studies/${studyB}/series/${b1.seriesUid}/instances?InstanceNumber=2`);
        assert.equal(inSeries.body.length, 1);
        const i = inSeries.body[0];
        assert.equal(first(i, SOP_UID), b1.sopInstanceUids[1]);
        assert.equal(first(i, SERIES_UID), b1.seriesUid);
        assert.equal(first(i, '00080016'), '1.2.840.10008.5.1.4.1.1.2');
        assert.equal(first(i, '00280010'), 16);
        assert.equal(first(i, '00280011'), 16);
        assert.equal(first(i, '00280008'), 3);
        assert.equal(first(i, '00081190'), instanceUrl(studyB, b1, 1));
        const listed = await getJson(`${hub.url}/dicomweb/instances?SOPInstanceUID=${a1.sopInstanceUids[0]},${b1.sopInstanceUids[0]}`);
        assert.deepEqual(uidsOf(listed.body, SOP_UID), [a1.sopInstanceUids[0], b1.sopInstanceUids[0]].sort());
      });

      it('answers 400 naming an unknown key or a key below the level searched', async () => {
        const unknown = await getJson(`${hub.url}/dicomweb/studies?Foo=1`);
        assert.equal(unknown.status, 400);
        assert.equal(unknown.error?.error, 'BAD_REQUEST');
        assert.match(unknown.error?.message ?? '', /unknown query key "Foo"/);
        const below = await getJson(`${hub.url}/dicomweb/studies?SOPInstanceUID=1.2.3`);
        assert.equal(below.status, 400);
        assert.equal(below.error?.message, 'SOPInstanceUID is an attribute of the instance level and cannot be matched in a search for studies');
        for (const query of ['StudyDate=2025', 'limit=x', 'SeriesNumber=one', 'StudyInstanceUID=1.2.*']) {
          assert.equal((await getJson(`${hub.url}/dicomweb/series?${query}`)).status, 400, query);
        }
      });
    });

    describe('WADO-RS', () => {
      it('retrieves an instance as multipart/related with the stored bytes', async () => {
        const r = await getMultipart(instanceUrl(studyA, a1, 1));
        assert.equal(r.status, 200);
        assert.match(r.contentType, /^multipart\/related; type="application\/dicom"; boundary=/);
        assert.equal(r.parts.length, 1);
        const stored = await storedFile(a1.sopInstanceUids[1] ?? '');
        assert.equal(r.parts[0]?.contentType, `application/dicom; transfer-syntax=${stored.ts}`);
        assert.ok(r.parts[0]?.body.equals(stored.bytes), 'part bytes equal the stored file');
        const star = await getMultipart(instanceUrl(studyA, a1, 1), 'multipart/related; type="application/dicom"; transfer-syntax=*');
        assert.equal(star.status, 200);
      });

      it('retrieves every instance of a study and of a series', async () => {
        const study = await getMultipart(`${hub.url}/dicomweb/studies/${studyA}`, '*/*');
        assert.equal(study.parts.length, 5);
        const expected = await Promise.all([...a1.sopInstanceUids, ...a2.sopInstanceUids].map(storedFile));
        for (const e of expected) assert.ok(study.parts.some((p) => p.body.equals(e.bytes)), 'each stored file is a part');
        const series = await getMultipart(`${hub.url}/dicomweb/studies/${studyA}/series/${a2.seriesUid}`, 'multipart/related; type="application/dicom"');
        assert.equal(series.parts.length, 2);
      });

      it('answers 406 when the Accept header asks for another transfer syntax or media type', async () => {
        const other = await getMultipart(instanceUrl(studyA, a1), `multipart/related; type="application/dicom"; transfer-syntax=${JPEG_LOSSLESS_SV1}`);
        assert.equal(other.status, 406);
        assert.equal(other.error?.error, 'NOT_ACCEPTABLE');
        assert.equal((await getMultipart(instanceUrl(studyA, a1), 'application/json')).status, 406);
        const jpegStudy = await getMultipart(`${hub.url}/dicomweb/studies/${studyC}`, `multipart/related; type="application/dicom"; transfer-syntax=${JPEG_LOSSLESS_SV1}`);
        assert.equal(jpegStudy.status, 200, 'the stored syntax itself is acceptable');
        assert.equal(jpegStudy.parts.length, 4);
      });

      it('answers metadata as DICOM JSON without pixel data', async () => {
        const study = await getJson(`${hub.url}/dicomweb/studies/${studyA}/metadata`);
        assert.equal(study.status, 200);
        assert.match(study.headers.get('content-type') ?? '', /^application\/dicom\+json/);
        assert.equal(study.body.length, 5);
        for (const d of study.body) {
          assert.deepEqual(first(d, PATIENT_NAME), { Alphabetic: 'TRAUMA^SYNTHETIC' });
          assert.equal(first(d, STUDY_UID), studyA);
          assert.equal(d['7FE00010'], undefined);
        }
        const series = await getJson(`${hub.url}/dicomweb/studies/${studyA}/series/${a2.seriesUid}/metadata`);
        assert.deepEqual(uidsOf(series.body, SOP_UID), [...a2.sopInstanceUids].sort());
        const compressed = await getJson(`${instanceUrl(studyC, jpeg.withTable)}/metadata`);
        assert.equal(compressed.body.length, 1);
        assert.equal(first(compressed.body[0], '00280008'), 3);
        assert.equal(first(compressed.body[0], SOP_UID), jpeg.withTable.sopInstanceUids[0]);
        assert.equal(compressed.body[0]?.['7FE00010'], undefined);
      });

      it('returns native frames cut from the stored pixel data', async () => {
        const one = await getMultipart(`${instanceUrl(studyB, b1)}/frames/2`);
        assert.equal(one.status, 200);
        assert.match(one.contentType, /^multipart\/related; type="application\/octet-stream"/);
        assert.equal(one.parts[0]?.contentType, 'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1');
        assert.ok(one.parts[0]?.body.equals(frameOf(nativeFrames, 2, NATIVE_FRAME_BYTES)));
        const two = await getMultipart(`${instanceUrl(studyB, b1, 1)}/frames/3,1`, 'multipart/related; type="application/octet-stream"; transfer-syntax=*');
        assert.equal(two.parts.length, 2);
        assert.ok(two.parts[0]?.body.equals(frameOf(nativeFrames, 3, NATIVE_FRAME_BYTES)));
        assert.ok(two.parts[1]?.body.equals(frameOf(nativeFrames, 1, NATIVE_FRAME_BYTES)));
        assert.equal((await getMultipart(`${instanceUrl(studyB, b1)}/frames/4`)).status, 404);
        assert.equal((await getMultipart(`${instanceUrl(studyB, b1)}/frames/0`)).status, 400);
        assert.equal((await getMultipart(`${instanceUrl(studyB, b1)}/frames/one`)).status, 400);
      });

      it('returns JPEG frames found by offset table, by fragment and by start marker, all alike', async () => {
        const framesOf = async (s: WrittenSeries, list: string, accept?: string) => {
          const r = await getMultipart(`${instanceUrl(studyC, s)}/frames/${list}`, accept);
          assert.equal(r.status, 200, r.error?.message);
          return r;
        };
        const reference = await framesOf(jpeg.withTable, '1,2,3');
        assert.match(reference.contentType, /^multipart\/related; type="image\/jpeg"/);
        assert.equal((await storedFile(jpeg.withTable.sopInstanceUids[0] ?? '')).ts, JPEG_LOSSLESS_SV1);
        for (const part of reference.parts) {
          assert.equal(part.contentType, `image/jpeg; transfer-syntax=${JPEG_LOSSLESS_SV1}`);
          assert.deepEqual([...part.body.subarray(0, 2)], [0xff, 0xd8], 'starts with SOI');
          assert.ok(part.body.lastIndexOf(Buffer.from([0xff, 0xd9])) >= part.body.length - 3, 'ends with EOI');
        }
        assert.ok(!reference.parts[0]?.body.equals(reference.parts[1]?.body ?? Buffer.alloc(0)), 'frames differ');
        for (const s of [jpeg.fragmented, jpeg.perFrame]) {
          const r = await framesOf(s, '1,2,3');
          r.parts.forEach((p, i) => assert.ok(p.body.equals(reference.parts[i]?.body ?? Buffer.alloc(0)), `frame ${i + 1} equals the reference`));
        }
        const single = await framesOf(jpeg.single, '1');
        assert.ok(single.parts[0]?.body.equals(reference.parts[0]?.body ?? Buffer.alloc(0)), 'fragments of a single frame are concatenated');
        const octets = await framesOf(jpeg.withTable, '2', 'multipart/related; type="application/octet-stream"; transfer-syntax=*');
        assert.equal(octets.parts[0]?.contentType, `application/octet-stream; transfer-syntax=${JPEG_LOSSLESS_SV1}`);
        assert.ok(octets.parts[0]?.body.equals(reference.parts[1]?.body ?? Buffer.alloc(0)));
        const decoded = await getMultipart(`${instanceUrl(studyC, jpeg.withTable)}/frames/1`, 'multipart/related; type="application/octet-stream"');
        assert.equal(decoded.status, 406, 'decoding is not available');
      });

      it('answers 404 for unknown studies, series and instances', async () => {
        const unknown = uidFrom('read/unknown');
        for (const url of [
          `${hub.url}/dicomweb/studies/${unknown}`,
          `${hub.url}/dicomweb/studies/${studyA}/series/${unknown}`,
          `${hub.url}/dicomweb/studies/${studyA}/series/${a1.seriesUid}/instances/${unknown}`,
          `${hub.url}/dicomweb/studies/${studyB}/series/${a1.seriesUid}`,
          `${hub.url}/dicomweb/studies/${unknown}/metadata`,
          `${hub.url}/dicomweb/studies/${studyA}/series/${a1.seriesUid}/instances/${unknown}/frames/1`,
        ]) {
          const r = await getMultipart(url);
          assert.equal(r.status, 404, url);
          assert.equal(r.error?.error, 'NOT_FOUND');
        }
      });
    });

    it('audits every query and retrieval, anonymously, in an intact chain', async () => {
      const db = hub.app.database.db;
      const rows = await db.selectFrom('audit_log').selectAll().where('event_type', 'in', ['instances.retrieved', 'instances.queried']).orderBy('seq').execute();
      assert.ok(rows.every((r) => r.actor === 'anonymous' && r.source === '127.0.0.1'));
      assert.ok(rows.every((r) => r.event_code === (r.event_type === 'instances.retrieved' ? '110103' : '110112')));
      const detail = (r: { detail: string }) => JSON.parse(r.detail) as { path: string; instances: number; error?: string };
      const studyRetrieve = rows.find((r) => r.event_type === 'instances.retrieved' && detail(r).path === `/dicomweb/studies/${studyA}`);
      assert.equal(studyRetrieve?.study_uid, studyA);
      assert.equal(studyRetrieve?.outcome, 'success');
      assert.equal(studyRetrieve && detail(studyRetrieve).instances, 5);
      const query = rows.find((r) => r.event_type === 'instances.queried' && detail(r).path === `/dicomweb/studies/${studyA}/instances`);
      assert.equal(query && detail(query).instances, 5);
      assert.equal(query?.study_uid, studyA);
      const failed = rows.filter((r) => r.outcome === 'minor-failure');
      assert.ok(failed.some((r) => detail(r).error === 'NOT_FOUND'));
      const before = rows.length;
      await getJson(`${hub.url}/dicomweb/studies?PatientID=P-0001`);
      await getMultipart(instanceUrl(studyA, a1));
      const afterRows = await db.selectFrom('audit_log').select('event_type').where('event_type', 'in', ['instances.retrieved', 'instances.queried']).execute();
      assert.equal(afterRows.length, before + 2, 'one event per request');
      const all = await db.selectFrom('audit_log').select('seq').execute();
      assert.deepEqual(await verifyAuditChain(db), { ok: true, checked: all.length });
    });
  });
}
