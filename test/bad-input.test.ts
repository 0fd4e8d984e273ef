import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { encodeFilePrefix } from '../src/dicom/part10.js';
import { missingTools, run } from './support/interop.js';
import { element, nested, part10, pixels, rawObject, text } from './support/raw-dicom.js';
import { failureReasons, stow } from './support/stow-client.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';

const limits = { maxElementBytes: 8192, maxRows: 64, maxColumns: 64, maxObjectBytes: 64 * 1024 };

async function rejectionAudit(hub: TestHub, sopInstanceUid: string) {
  return hub.app.database.db
    .selectFrom('audit_log')
    .select(['event_code', 'detail'])
    .where('event_type', '=', 'object.rejected')
    .where('sop_instance_uid', '=', sopInstanceUid)
    .execute();
}

async function assertRefused(hub: TestHub, bytes: Buffer, sopInstanceUid: string, reason: number, message: RegExp): Promise<void> {
  const r = await stow(hub.url, [bytes]);
  assert.equal(r.status, 409, JSON.stringify(r.body));
  assert.deepEqual(failureReasons(r), [reason]);
  const items = r.body['00081198']?.Value as Array<Record<string, { Value?: unknown[] }>>;
  assert.match(String(items[0]?.['00000902']?.Value?.[0]), message);
  const audit = await rejectionAudit(hub, sopInstanceUid);
  assert.equal(audit.length, 1);
  assert.equal(audit[0]?.event_code, '110113');
  const rows = await hub.app.database.db.selectFrom('instances').select('id').where('sop_instance_uid', '=', sopInstanceUid).execute();
  assert.equal(rows.length, 0, 'nothing indexed');
}

describe('bad input is refused with a clear error, an audit event and no partial file', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub({ limits, dicom: { allowedCallingAeTitles: ['CT_SCANNER'] } });
  });
  after(async () => {
    await hub.stop();
  });

  it('a truncated object', async () => {
    const o = rawObject('bad-truncated', pixels(32, 32));
    await assertRefused(hub, part10(o).subarray(0, part10(o).length - 100), o.sopInstanceUid, 0xc000, /ends inside/);
  });

  it('an object without preamble and meta header', async () => {
    const o = rawObject('bad-no-meta', pixels(4, 4));
    const r = await stow(hub.url, [o.dataset]);
    assert.equal(r.status, 400);
    assert.deepEqual(failureReasons(r), [0xc000]);
  });

  it('a length that runs past its enclosing item', async () => {
    const item = Buffer.concat([text(0x00080100, 'SH', 'CODE'), element(0x00080104, 'LO', Buffer.alloc(40, 0x41))]);
    const lying = Buffer.concat([
      element(0x0040a730, 'SQ', Buffer.alloc(0), 8 + 20),
      Buffer.from([0xfe, 0xff, 0x00, 0xe0, 20, 0, 0, 0]),
      item,
    ]);
    const o = rawObject('bad-lying', lying);
    await assertRefused(hub, part10(o), o.sopInstanceUid, 0xc000, /past its enclosing item/);
  });

  it('sequences nested deeper than 128 levels, while 128 levels are accepted', async () => {
    const deep = rawObject('bad-deep', nested(129));
    await assertRefused(hub, part10(deep), deep.sopInstanceUid, 0xc000, /nesting deeper than 128/);
    const ok = rawObject('ok-128', nested(128));
    assert.equal((await stow(hub.url, [part10(ok)])).status, 200);
  });

  it('an element above the element length limit', async () => {
    const o = rawObject('bad-element', element(0x00420011, 'OB', Buffer.alloc(10_000)));
    await assertRefused(hub, part10(o), o.sopInstanceUid, 0xc000, /above the limit/);
  });

  it('pixel dimensions above the limits', async () => {
    const o = rawObject('bad-dims', pixels(65, 65));
    await assertRefused(hub, part10(o), o.sopInstanceUid, 0xc000, /exceed the limits/);
  });

  it('pixel data shorter than its rows and columns need', async () => {
    const o = rawObject('bad-short-pixels', Buffer.concat([pixels(8, 8).subarray(0, -64 - 12), element(0x7fe00010, 'OB', Buffer.alloc(32))]));
    await assertRefused(hub, part10(o), o.sopInstanceUid, 0xc000, /pixel data holds 32 bytes/);
  });

  it('an object above the size limit', async () => {
    const o = rawObject('bad-size', Buffer.concat([element(0x00420011, 'OB', Buffer.alloc(8000)), ...Array.from({ length: 10 }, (_v, i) => element(0x00091010 + i, 'OB', Buffer.alloc(8000)))]));
    await assertRefused(hub, part10(o), o.sopInstanceUid, 0xa700, /maximum/);
  });

  it('a data set whose SOP Instance UID differs from its meta header', async () => {
    const o = rawObject('bad-mismatch', pixels(4, 4));
    const bytes = Buffer.concat([
      encodeFilePrefix({ mediaStorageSopClassUid: o.sopClassUid, mediaStorageSopInstanceUid: '1.2.3.4', transferSyntaxUid: '1.2.840.10008.1.2.1' }),
      o.dataset,
    ]);
    await assertRefused(hub, bytes, o.sopInstanceUid, 0xa900, /differs/);
  });

  it('a data set without a Study Instance UID', async () => {
    const o = rawObject('bad-missing', pixels(4, 4));
    const studyElement = text(0x0020000d, 'UI', o.studyUid);
    const without = { ...o, dataset: Buffer.concat([o.dataset.subarray(0, o.dataset.indexOf(studyElement)), o.dataset.subarray(o.dataset.indexOf(studyElement) + studyElement.length)]) };
    await assertRefused(hub, part10(without), o.sopInstanceUid, 0xc000, /lacks StudyInstanceUID/);
  });

  it('over DIMSE: deep nesting gets a failure status and an audit event', { skip: missingTools('storescu') }, async () => {
    const o = rawObject('bad-deep-dimse', nested(130));
    const file = path.join(tempDir(), 'deep.dcm');
    writeFileSync(file, part10(o));
    const r = await run('storescu', ['-v', '-aet', 'CT_SCANNER', '-aec', 'RADBRIDGE', '127.0.0.1', String(hub.dicomPort), file]);
    assert.match(r.stderr + r.stdout, /C000|Cannot understand|Error/i);
    assert.equal((await rejectionAudit(hub, o.sopInstanceUid)).length, 1);
  });

  it('over DIMSE: an unknown calling AE title is rejected and audited; a known one is accepted', { skip: missingTools('echoscu') }, async () => {
    const refused = await run('echoscu', ['-aet', 'INTRUDER', '-aec', 'RADBRIDGE', '127.0.0.1', String(hub.dicomPort)]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr + refused.stdout, /Calling AE Title Not Recognized|Rejected/i);
    const audit = await hub.app.database.db.selectFrom('audit_log').select(['actor', 'event_code']).where('event_type', '=', 'association.rejected').execute();
    assert.deepEqual(audit, [{ actor: 'INTRUDER', event_code: '110113' }]);
    const accepted = await run('echoscu', ['-aet', 'CT_SCANNER', '-aec', 'RADBRIDGE', '127.0.0.1', String(hub.dicomPort)]);
    assert.equal(accepted.code, 0, accepted.stderr);
  });

  it('keeps running, with no temp file left behind', async () => {
    assert.equal((await fetch(`${hub.url}/healthz`)).status, 200);
    assert.deepEqual(readdirSync(path.join(hub.dataDir, 'tmp')), []);
  });
});

describe('free disk space below the watermark', () => {
  let hub: TestHub;
  before(async () => {
    hub = await startTestHub({ storage: { minFreeBytes: Number.MAX_SAFE_INTEGER } });
  });
  after(async () => {
    await hub.stop();
  });

  it('refuses STOW-RS with 507', async () => {
    const r = await stow(hub.url, [part10(rawObject('full-stow', pixels(4, 4)))]);
    assert.equal(r.status, 507);
  });

  it('refuses C-STORE with 0xA700 (out of resources)', { skip: missingTools('storescu') }, async () => {
    const o = rawObject('full-dimse', pixels(4, 4));
    const file = path.join(tempDir(), 'full.dcm');
    writeFileSync(file, part10(o));
    const r = await run('storescu', ['-v', '-aec', 'RADBRIDGE', '127.0.0.1', String(hub.dicomPort), file]);
    assert.match(r.stderr + r.stdout, /A700|Out of Resources|Refused/i);
    assert.equal((await rejectionAudit(hub, o.sopInstanceUid)).length, 1);
    assert.equal((await hub.app.database.db.selectFrom('instances').select('id').execute()).length, 0);
  });
});
