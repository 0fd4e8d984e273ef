import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import { startMllpServer, type MllpListener } from '../src/adapters/mllp/mllp-server.js';
import { readResultObject } from '../src/analyze/import/result-object-reader.js';
import { fieldText, segmentOf, type Hl7Message } from '../src/hl7/hl7-message.js';
import type { OutboxStatus } from '../src/store/outbox.js';
import { listResultObjects, type ResultObject } from '../src/store/result-objects.js';
import { dsrdump } from './support/dcmtk-sr.js';
import { datasetElements, dciodvfyErrors } from './support/dicom-dump.js';
import { getMultipart } from './support/dicomweb-client.js';
import { writeCtStudy } from './support/head-ct-study.js';
import { freePort, missingTools, waitForPort } from './support/interop.js';
import { startOrthanc, type RunningOrthanc } from './support/orthanc.js';
import { startFhirServer, type FhirTestServer } from './support/fhir-server.js';
import { fhirSchemaErrors } from './support/fhir-schema.js';
import { datasetOf, itemsOf, naturalized, type Naturalized } from './support/part10-dataset.js';
import { openTestDatabase, type TestDatabase } from './support/test-database.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';
import { until } from './support/until.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

/**
 * A shown analysis result end to end: the head CT analyzer in active mode, its SR, SEG, KOS and
 * summary image written, valid by dicom3tools and DCMTK, and sent through the outbox to a real
 * storescp and two real Orthancs (one by C-STORE, one by STOW-RS) that return them by WADO-RS:
 * byte for byte after STOW-RS, element for element after C-STORE, where Orthanc re-encodes sequence
 * and item lengths (ADR 0021). Beside them the RIS gets the ORU^R01 and the priority update, a FHIR
 * server the preliminary DiagnosticReport, and the trauma team a signed webhook alert.
 */

const skip = missingTools('storescp', 'dciodvfy', 'dsrdump', 'Orthanc');
const MODULE_URL = new URL('../src/analyze/builtin/head-ct.ts', import.meta.url).href;
const KINDS = ['kos', 'seg', 'sr', 'summary-image'];

describe('result objects of a shown analysis', { skip }, () => {
  let hub: TestHub;
  let storescp: ChildProcess | undefined;
  let byDimse: RunningOrthanc;
  let byWeb: RunningOrthanc;
  let ris: MllpListener;
  let ehr: FhirTestServer;
  let pager: WebhookReceiver;
  let risIndex: TestDatabase;
  const risReceived: Hl7Message[] = [];
  let study: ReturnType<typeof writeCtStudy>;
  let outbox: OutboxStatus[] = [];
  let outboxMessages: Array<Record<string, unknown>> = [];
  let written: ResultObject[] = [];
  const dir = tempDir();
  const received = tempDir();
  const http = async (method: string, route: string, body?: unknown) => {
    const r = await fetch(`${hub.url}${route}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  before(async () => {
    const port = await freePort();
    storescp = spawn('storescp', ['-aet', 'PACS', '-od', received, String(port)], { stdio: 'ignore' });
    await waitForPort(port, storescp);
    byDimse = await startOrthanc({ aeTitle: 'ORTHANC_DIMSE' });
    byWeb = await startOrthanc();
    risIndex = await openTestDatabase('sqlite');
    ris = await startMllpServer(
      { host: '127.0.0.1', port: 0, maxFrameBytes: 1 << 20, idleTimeoutMs: 10_000 },
      { db: risIndex.database.db, log: pino({ level: 'silent' }), now: () => Date.now(), handle: (m) => {
          risReceived.push(m);
          return Promise.resolve({ kind: 'accepted' as const });
        },
      },
    );
    ehr = await startFhirServer();
    pager = await startWebhookReceiver();
    writeFileSync(path.join(dir, 'pager.secret'), pager.secret);
    const alertSteps = { steps: [{ contacts: [{ webhook: 'pager' }], escalateAfterMs: 600_000 }] };
    const destinations = {
      pacs: { host: '127.0.0.1', port, aeTitle: 'PACS' },
      'orthanc-dimse': { host: '127.0.0.1', port: byDimse.dicomPort, aeTitle: byDimse.aeTitle },
      'orthanc-web': { stowUrl: byWeb.dicomwebUrl },
    };
    hub = await startTestHub({
      analyzers: [{ url: MODULE_URL }],
      completion: { quietPeriodMs: 200, sweepIntervalMs: 60_000 },
      jobs: { pollIntervalMs: 50, backoffBaseMs: 10, backoffMaxMs: 20 },
      destinations,
      results: { destinations: Object.keys(destinations), objects: { summaryImage: true } },
      hl7: {
        peers: {
          ris: {
            host: '127.0.0.1', port: ris.port, receivingApplication: 'RIS', receivingFacility: 'TRAUMA',
            priorityUpdate: { messageType: 'OMG^O19^OMG_O19', fields: { 'ORC-1': 'XO', 'TQ1-9': '{priority}', 'OBR-3': '{accessionNumber}', 'ZPR-1': '{level}', 'NTE-3': '{reason}' }, priorities: { critical: 'STAT', urgent: 'ASAP' } },
          },
        },
        resultPeers: ['ris'],
      },
      fhir: { servers: { ehr: { baseUrl: ehr.url } }, resultServers: ['ehr'] },
      webhooks: { endpoints: { pager: { url: pager.url, secretFile: path.join(dir, 'pager.secret') } } },
      alerts: { critical: alertSteps, urgent: alertSteps },
    });

    assert.equal((await http('PUT', '/api/analyzers/radbridge-head-ct/versions/1.0.0/approval', { approval: 'approved', reason: 'reference method' })).status, 200);
    assert.equal((await http('PUT', '/api/analyzers/radbridge-head-ct/mode', { mode: 'active', reason: 'reprioritizes the worklist' })).status, 200);
    const rules = { version: 1, rules: [{ id: 'head-ct', when: { classification: 'regions', in: ['head'] }, actions: [{ run: { analyzers: ['radbridge-head-ct'] } }], lane: 'urgent' }] };
    assert.equal((await http('PUT', '/api/rules', { document: rules, reason: 'head CT to the reference analyzer' })).status, 201);

    study = writeCtStudy('trauma-ct-head', dir, { seed: 4, normal: false, matrix: 128 });
    const files = readdirSync(path.join(dir, 'series-01')).map((f) => path.join(dir, 'series-01', f));
    assert.equal((await sendFiles({ host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT_HEAD1', calledAeTitle: 'RADBRIDGE' }, files)).failures.length, 0);
    await new Promise((r) => setTimeout(r, 250));
    await hub.sweep();

    outbox = await until(
      'every result object sent or failed at every destination',
      async () => {
        const r = await fetch(`${hub.url}/api/studies/${study.input.studyUid}/outbox`);
        const { objects, messages } = (await r.json()) as { objects: OutboxStatus[]; messages: Array<Record<string, unknown>> };
        const done = (s: unknown) => s === 'sent' || s === 'failed';
        if (messages.length === 4 && messages.every((m) => done(m.status))) outboxMessages = messages;
        return objects.length === KINDS.length * Object.keys(destinations).length && objects.every((o) => done(o.status)) && outboxMessages.length === 4 ? objects : undefined;
      },
      120_000,
    );
    written = await listResultObjects(hub.app.database.db, study.input.studyUid);
  });
  after(async () => {
    storescp?.kill('SIGTERM');
    await hub?.stop();
    await byDimse?.stop();
    await byWeb?.stop();
    await ris?.close();
    await ehr?.close();
    await pager?.close();
    await risIndex?.remove();
    rmSync(dir, { recursive: true, force: true });
    rmSync(received, { recursive: true, force: true });
  });

  const fileOf = (kind: string) => {
    const object = written.find((o) => o.objectKind === kind);
    assert.ok(object, `a ${kind} was written`);
    return hub.app.objects.absolute(object.filePath);
  };

  it('writes an SR, a SEG, a KOS and a summary image, and sends each once to each destination', () => {
    assert.deepEqual(written.map((o) => o.objectKind).sort(), KINDS);
    const sent = outbox.map((o) => `${o.destination} ${o.objectKind} ${o.status}`).sort();
    assert.deepEqual(sent, ['orthanc-dimse', 'orthanc-web', 'pacs'].flatMap((d) => KINDS.map((k) => `${d} ${k} sent`)));
    assert.equal(readdirSync(received).length, KINDS.length, 'storescp received each object once');
  });

  it('writes objects in which dciodvfy finds no errors and an SR that dsrdump parses', async () => {
    for (const kind of KINDS) assert.deepEqual(await dciodvfyErrors(fileOf(kind)), [], kind);
    assert.match(await dsrdump(fileOf('sr')), /Imaging Measurement Report/);
  });

  const retrieve = async (orthanc: RunningOrthanc, object: ResultObject) => {
    const url = `${orthanc.dicomwebUrl}/studies/${object.studyUid}/series/${object.seriesUid}/instances/${object.sopInstanceUid}`;
    const retrieved = await getMultipart(url, 'multipart/related; type="application/dicom"; transfer-syntax=*');
    assert.equal(retrieved.status, 200, `${object.objectKind} retrieved`);
    assert.equal(retrieved.parts.length, 1);
    return retrieved.parts[0]?.body ?? Buffer.alloc(0);
  };

  it('gets back from the Orthanc sent to by STOW-RS every object, by WADO-RS, byte for byte', async () => {
    for (const object of written) {
      const sent = readFileSync(hub.app.objects.absolute(object.filePath));
      assert.ok(datasetOf(await retrieve(byWeb, object)).equals(datasetOf(sent)), `${object.objectKind} data set byte for byte`);
    }
  });

  it('gets back from the Orthanc sent to by C-STORE every object, by WADO-RS, element for element', async () => {
    for (const object of written) {
      const file = path.join(dir, `${object.objectKind}.orthanc.dcm`);
      writeFileSync(file, await retrieve(byDimse, object));
      const sent = await datasetElements(hub.app.objects.absolute(object.filePath));
      assert.ok(sent.length > 20, `${object.objectKind} listed element by element`);
      assert.deepEqual(await datasetElements(file), sent, object.objectKind);
    }
  });

  it('refers the SR’s haemorrhage to its segment of the SEG sent beside it, both tracking it with one UID', () => {
    const concept = (item: Naturalized) => (itemsOf(item.ConceptNameCodeSequence)[0]?.CodeValue as string | undefined) ?? '';
    const child = (item: Naturalized | undefined, code: string) => itemsOf(item?.ContentSequence).find((i) => concept(i) === code);
    const sr = naturalized(readFileSync(fileOf('sr')));
    const seg = naturalized(readFileSync(fileOf('seg')));
    const group = itemsOf(child(sr, '126010')?.ContentSequence).find((g) => child(g, '121191'));
    assert.ok(group, 'a measurement group refers to a segment');
    const [reference] = itemsOf(child(group, '121191')?.ReferencedSOPSequence);
    assert.equal(reference?.ReferencedSOPInstanceUID, seg.SOPInstanceUID);
    const segment = itemsOf(seg.SegmentSequence).find((s) => s.SegmentNumber === reference?.ReferencedSegmentNumber);
    assert.equal(itemsOf(segment?.SegmentedPropertyTypeCodeSequence)[0]?.CodeValue, '1386000', 'the segment is the haemorrhage');
    assert.equal(segment?.TrackingUID, child(group, '112040')?.UID);
    assert.equal(child(group, '121232')?.UID, study.input.series[0]?.seriesUid, 'the segmented series');
  });

  it('moves the study up the RIS worklist once, by the site’s mapping, at the level the criticality table gives the haemorrhage', () => {
    const update = risReceived.find((m) => fieldText(segmentOf(m, 'MSH'), 9) === 'OMG');
    assert.ok(update, 'a priority update after the ORU');
    assert.equal(risReceived.indexOf(update), 1);
    const level = fieldText(segmentOf(update, 'ZPR'), 1);
    assert.ok(level === 'urgent' || level === 'critical', level);
    assert.equal(fieldText(segmentOf(update, 'TQ1'), 9), level === 'critical' ? 'STAT' : 'ASAP');
    assert.equal(fieldText(segmentOf(update, 'ORC'), 1), 'XO');
    assert.equal(fieldText(segmentOf(update, 'PID'), 3), fieldText(segmentOf(risReceived[0] as Hl7Message, 'PID'), 3), 'the same patient as the ORU');
    assert.notEqual(fieldText(segmentOf(update, 'PID'), 3), '');
    assert.match(fieldText(segmentOf(update, 'NTE'), 3), /intracranial haemorrhage/);
    assert.deepEqual(outboxMessages.map((m) => `${String(m.channel)} ${String(m.status)}`), ['hl7 sent', 'hl7 sent', 'fhir sent', 'webhook sent']);
  });

  it('sends the RIS the preliminary ORU^R01 once, acknowledged AA, with the haemorrhage coded, its side and volume; the API shows its status, not its text', () => {
    const oru = risReceived.filter((m) => fieldText(segmentOf(m, 'MSH'), 9) === 'ORU');
    assert.equal(oru.length, 1);
    const [message] = oru;
    const msh = segmentOf(message as Hl7Message, 'MSH');
    assert.deepEqual([fieldText(msh, 9), fieldText(msh, 9, 2), fieldText(msh, 5), fieldText(msh, 6)], ['ORU', 'R01', 'RIS', 'TRAUMA']);
    assert.equal(fieldText(segmentOf(message as Hl7Message, 'ZDS'), 1), study.input.studyUid);
    const obx = (message as Hl7Message).segments.filter((s) => s.id === 'OBX');
    const haemorrhage = obx.find((s) => fieldText(s, 3) === '1386000');
    assert.equal(fieldText(haemorrhage, 5), '52101004', 'present');
    const group = obx.filter((s) => fieldText(s, 4) === fieldText(haemorrhage, 4));
    assert.ok(group.some((s) => fieldText(s, 2) === 'NM' && fieldText(s, 6) === 'mL' && Number(fieldText(s, 5)) > 0), 'its volume in mL');
    assert.ok(group.some((s) => fieldText(s, 3) === '272741003'), 'its side');
    assert.deepEqual([outboxMessages[0]?.destination, outboxMessages[0]?.status, outboxMessages[0]?.controlId], ['ris', 'sent', fieldText(msh, 10)]);
    assert.equal(outboxMessages[0]?.body, undefined, 'no message text (patient data) in the status');
  });

  it('posts the preliminary DiagnosticReport with its Observations to the FHIR server once, valid FHIR R4', () => {
    const reports = [...ehr.resources.values()].filter((r) => r.resourceType === 'DiagnosticReport');
    assert.equal(reports.length, 1);
    const [report] = reports;
    assert.equal(report?.status, 'preliminary');
    assert.equal(report?.meta.versionId, '1');
    assert.deepEqual(fhirSchemaErrors(report), []);
    const results = (report?.result ?? []) as Array<{ reference: string }>;
    const observations = results.map((r) => ehr.resources.get(r.reference));
    assert.ok(observations.length > 0 && observations.every((o) => o !== undefined && fhirSchemaErrors(o).length === 0), 'each Observation stored and valid');
    const haemorrhage = observations.find((o) => JSON.stringify(o?.code).includes('1386000'));
    assert.ok(haemorrhage, 'the haemorrhage is an Observation');
    assert.match(JSON.stringify(report?.imagingStudy), new RegExp(`urn:oid:${study.input.studyUid.replace(/\./g, '\\.')}`));
  });

  it('alerts the trauma team once by a signed, PHI-minimal webhook that the API shows delivered', async () => {
    const alerts = (await http('GET', `/api/alerts?study=${study.input.studyUid}`)).body.alerts as Array<Record<string, unknown>>;
    assert.equal(alerts.length, 1);
    assert.equal(alerts[0]?.state, 'delivered');
    const delivered = pager.deliveries.filter((d) => d.verified);
    assert.equal(delivered.length, 1);
    const body = delivered[0]?.body as Record<string, unknown>;
    assert.equal(body.alertId, alerts[0]?.alertId);
    assert.ok((body.reasons as string[]).some((r) => /intracranial haemorrhage/.test(r)));
    assert.ok(!delivered[0]?.rawBody.includes(study.input.studyUid), 'no Study UID in a PHI-minimal alert');
  });

  it('reads its own SR back into the result’s findings', async () => {
    const read = await readResultObject(readFileSync(fileOf('sr')), { inputHash: 'read-back', importer: { id: 'importer', version: '1' }, planes: new Map() });
    const haemorrhage = read.findings.find((f) => f.type.value === '1386000');
    assert.equal(haemorrhage?.presence, 'present');
    assert.equal(haemorrhage?.laterality, study.findings.find((f) => f.type === 'intracranial-haemorrhage')?.side);
  });
});
