import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sendFiles } from '../src/adapters/dimse/dimse-scu.js';
import { readResultObject } from '../src/analyze/import/result-object-reader.js';
import type { OutboxStatus } from '../src/store/outbox.js';
import { listResultObjects } from '../src/store/result-objects.js';
import { writeCtStudy } from './support/head-ct-study.js';
import { freePort, missingTools, waitForPort } from './support/interop.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';

/** A shown analysis result end to end: the head CT analyzer in assistive mode, its SR, SEG and KOS written and sent through the outbox to a real storescp. */

const skip = missingTools('storescp');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const MODULE_URL = new URL('../src/analyze/builtin/head-ct.ts', import.meta.url).href;

describe('result objects of a shown analysis', { skip }, () => {
  let hub: TestHub;
  let storescp: ChildProcess | undefined;
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
    hub = await startTestHub({
      analyzers: [{ url: MODULE_URL }],
      completion: { quietPeriodMs: 200, sweepIntervalMs: 60_000 },
      jobs: { pollIntervalMs: 50, backoffBaseMs: 10, backoffMaxMs: 20 },
      destinations: { pacs: { host: '127.0.0.1', port, aeTitle: 'PACS' } },
      results: { destinations: ['pacs'] },
    });
  });
  after(async () => {
    storescp?.kill('SIGTERM');
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the SR, SEG and KOS of an assistive result, sends each once, and its SR reads back into the result’s findings', async () => {
    assert.equal((await http('PUT', '/api/analyzers/radbridge-head-ct/versions/1.0.0/approval', { approval: 'approved', reason: 'reference method' })).status, 200);
    assert.equal((await http('PUT', '/api/analyzers/radbridge-head-ct/mode', { mode: 'assistive', reason: 'shown to readers' })).status, 200);
    const rules = { version: 1, rules: [{ id: 'head-ct', when: { classification: 'regions', in: ['head'] }, actions: [{ run: { analyzers: ['radbridge-head-ct'] } }], lane: 'urgent' }] };
    assert.equal((await http('PUT', '/api/rules', { document: rules, reason: 'head CT to the reference analyzer' })).status, 201);

    const study = writeCtStudy('trauma-ct-head', dir, { seed: 4, normal: false, matrix: 128 });
    const files = readdirSync(path.join(dir, 'series-01')).map((f) => path.join(dir, 'series-01', f));
    assert.equal((await sendFiles({ host: '127.0.0.1', port: hub.dicomPort, callingAeTitle: 'CT_HEAD1', calledAeTitle: 'RADBRIDGE' }, files)).failures.length, 0);
    await wait(250);
    await hub.sweep();

    const end = Date.now() + 90_000;
    let objects: OutboxStatus[] = [];
    while (Date.now() < end) {
      const r = await fetch(`${hub.url}/api/studies/${study.input.studyUid}/outbox`);
      objects = ((await r.json()) as { objects: OutboxStatus[] }).objects;
      if (objects.length === 3 && objects.every((o) => o.status === 'sent' || o.status === 'failed')) break;
      await wait(200);
    }
    assert.deepEqual(objects.map((o) => [o.objectKind, o.status, o.destination]).sort(), [['kos', 'sent', 'pacs'], ['seg', 'sent', 'pacs'], ['sr', 'sent', 'pacs']]);
    assert.equal(readdirSync(received).length, 3, 'each object arrived once');

    const written = await listResultObjects(hub.app.database.db, study.input.studyUid);
    assert.deepEqual(written.map((o) => o.objectKind).sort(), ['kos', 'seg', 'sr']);
    const sr = written.find((o) => o.objectKind === 'sr');
    assert.ok(sr);
    const read = await readResultObject(readFileSync(hub.app.objects.absolute(sr.filePath)), { inputHash: 'read-back', importer: { id: 'importer', version: '1' }, planes: new Map() });
    const haemorrhage = read.findings.find((f) => f.type.value === '1386000');
    assert.equal(haemorrhage?.presence, 'present');
    assert.equal(haemorrhage?.laterality, study.findings.find((f) => f.type === 'intracranial-haemorrhage')?.side);
  });
});
