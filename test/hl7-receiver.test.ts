import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import { MllpClient } from '../src/adapters/mllp/mllp-client.js';
import { loadConfig } from '../src/config/load.js';
import { orderContext } from '../src/store/order-context.js';
import { writeCtStudy } from './support/head-ct-study.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';

/** The hub's HL7 v2 receiver: ADT, ORM and OMI from a RIS over a real MLLP connection become order and trauma activation context. */

const msh = (type: string, id: string) => `MSH|^~\\&|RIS|TRAUMA|RADBRIDGE|HOSP|20261203111500||${type}|${id}|P|2.5.1\r`;

describe('HL7 v2 receiver', () => {
  let hub: TestHub;
  let client: MllpClient;

  before(async () => {
    hub = await startTestHub({ hl7: { listen: { port: 0, traumaActivationField: 'ZTA-1' } } });
    client = new MllpClient({ host: '127.0.0.1', port: hub.hl7Port ?? 0 }, { connectTimeoutMs: 1000, ackTimeoutMs: 2000, maxFrameBytes: 1 << 20 });
  });
  after(async () => {
    client?.close();
    await hub?.stop();
  });

  it('reads an ADT admission’s trauma activation and an order’s accession number and priority, and answers AA', async () => {
    const adt = await client.send(`${msh('ADT^A01^ADT_A01', 'IN-1')}PID|1||P-77||Doe^Jane\rPV1|1|E\rZTA|LEVEL1\r`);
    const orm = await client.send(`${msh('ORM^O01^ORM_O01', 'IN-2')}PID|1||P-77||Doe^Jane\rORC|NW||||||^^^^^S\rOBR|1||ACC-77|CT^CT HEAD||||||||||||||ACC-77\r`);
    const omi = await client.send(`${msh('OMI^O23^OMI_O23', 'IN-3')}PID|1||P-78||Roe^Rick\rORC|NW\rTQ1|1||||||||A\rOBR|1||X\rIPC|ACC-78|REQ|STUDY|CT\r`);
    assert.deepEqual([adt.code, orm.code, omi.code], ['AA', 'AA', 'AA']);
    assert.deepEqual(await orderContext(hub.app.database.db, 'ACC-77', 'P-77'), { priority: 'S', traumaActivation: 'LEVEL1' }, 'the activation comes from the patient’s admission');
    assert.deepEqual(await orderContext(hub.app.database.db, 'ACC-78', 'P-78'), { priority: 'A' });
  });

  it('rejects a message type it does not read (AR) and answers AE for a message without a patient ID', async () => {
    const oru = await client.send(`${msh('ORU^R01^ORU_R01', 'IN-4')}PID|1||P-1\r`);
    assert.equal(oru.code, 'AR');
    assert.match(oru.text, /ORU\^R01 is not read here/);
    const anonymous = await client.send(`${msh('ADT^A08^ADT_A01', 'IN-5')}PID|1\r`);
    assert.equal(anonymous.code, 'AE');
    assert.match(anonymous.text, /PID-3 \(patient ID\) is empty/);
  });

  it('gives routing the trauma activation and priority of a stored study, found by its accession number and patient ID', async () => {
    const dir = tempDir();
    const study = writeCtStudy('trauma-ct-head', dir, { seed: 2, normal: true, matrix: 32, extra: { PatientID: 'P-90', AccessionNumber: 'ACC-90' } });
    assert.equal((await sendFiles({ host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT_HEAD1', calledAeTitle: 'RADBRIDGE' }, study.instances.map((i) => i.file))).failures.length, 0);
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(await hub.app.route.clinicalContext(study.input.studyUid), {}, 'nothing known yet');
    await client.send(`${msh('ADT^A04^ADT_A01', 'IN-6')}PID|1||P-90||Poe^Pat\rZTA|LEVEL2\r`);
    await client.send(`${msh('ORM^O01^ORM_O01', 'IN-7')}PID|1||P-90\rORC|NW||||||^^^^^S\rOBR|1||ACC-90\r`);
    assert.deepEqual(await hub.app.route.clinicalContext(study.input.studyUid), { priority: 'S', traumaActivation: 'LEVEL2' });
    assert.deepEqual(await hub.app.route.clinicalContext('1.2.3.999'), {}, 'an unknown study has no context');
  });

  it('refuses a configured trauma activation field that is not SEG-n', () => {
    assert.throws(() => loadConfig({ env: {}, overrides: { hl7: { listen: { traumaActivationField: 'ZTA1' } } } }), /a field is SEG-n or SEG-n\.c/);
  });
});
