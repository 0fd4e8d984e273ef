import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reportBundle } from '../src/notify/fhir-report.js';
import { listMessages, queueMessages, type MessageStatus, type OutboxMessage } from '../src/store/message-outbox.js';
import { haemorrhage, headDocument } from './support/result-documents.js';
import { startFhirServer, type FhirTestServer } from './support/fhir-server.js';
import { startTestHub, tempDir, type TestHub } from './support/test-hub.js';
import { until } from './support/until.js';
import { makeWebhookSecret, startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

/**
 * FHIR bundles and webhooks through the message outbox to real HTTP receivers on free ports: a
 * server answering 503 gets the bundle once it recovers, stored once; a refusal (422, 400, a
 * transaction entry refused, a signature the receiver cannot verify) dead-letters the message at
 * once with the receiver's words; a FHIR server's bearer token goes with each request.
 */

const STUDY = '1.2.826.0.1.3680043.10.999.8.2';

describe('FHIR bundles and webhooks through the outbox', () => {
  let hub: TestHub;
  let ehr: FhirTestServer;
  let hook: WebhookReceiver;
  const dir = tempDir();

  const queue = (messages: Array<Omit<OutboxMessage, 'studyUid'>>) => queueMessages(hub.app.database, messages.map((m) => ({ ...m, studyUid: STUDY })), Date.now(), { maxAttempts: 100 });
  const settled = (messageKey: string) =>
    until(`${messageKey} sent or failed`, async () => {
      const s = (await listMessages(hub.app.database.db, { studyUid: STUDY })).find((m) => m.messageKey === messageKey);
      return s && (s.status === 'sent' || s.status === 'failed') ? s : undefined;
    }, 30_000);
  const bundleMessage = (key: string, revision = 1): Omit<OutboxMessage, 'studyUid'> => {
    const bundle = reportBundle(headDocument([{ ...haemorrhage, measurements: [{ ...haemorrhage.measurements[0]!, value: revision * 10 }] }], revision), Date.now());
    return { channel: 'fhir', destination: 'ehr', messageKey: key, controlId: bundle.id, body: JSON.stringify(bundle) };
  };
  const hookMessage = (key: string, destination = 'pager'): Omit<OutboxMessage, 'studyUid'> => ({ channel: 'webhook', destination, messageKey: key, controlId: `msg_${key}`, body: JSON.stringify({ key }) });

  before(async () => {
    ehr = await startFhirServer();
    hook = await startWebhookReceiver();
    writeFileSync(path.join(dir, 'pager.secret'), hook.secret);
    writeFileSync(path.join(dir, 'other.secret'), makeWebhookSecret());
    writeFileSync(path.join(dir, 'ehr.token'), 'token-4711\n');
    hub = await startTestHub({
      jobs: { pollIntervalMs: 20, backoffBaseMs: 10, backoffMaxMs: 40 },
      fhir: { servers: { ehr: { baseUrl: ehr.url, bearerTokenFile: path.join(dir, 'ehr.token') } } },
      webhooks: { endpoints: { pager: { url: hook.url, secretFile: path.join(dir, 'pager.secret') }, forged: { url: hook.url, secretFile: path.join(dir, 'other.secret') } } },
    });
  });
  after(async () => {
    await hub?.stop();
    await Promise.all([ehr?.close(), hook?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('posts a bundle again after 503s, with the bearer token, and the server stores it once', async () => {
    ehr.respondNext(503, 2);
    await queue([bundleMessage('report/1')]);
    const sent: MessageStatus = await settled('report/1');
    assert.equal(sent.status, 'sent');
    assert.equal(sent.attempts, 3);
    assert.match(sent.reply ?? '', /transaction-response/);
    const reports = [...ehr.resources.values()].filter((r) => r.resourceType === 'DiagnosticReport');
    assert.deepEqual(reports.map((r) => r.meta.versionId), ['1']);
    assert.ok(ehr.requests.every((r) => r.headers.authorization === 'Bearer token-4711'), 'the token read from its file, without its line end');
  });

  it('dead-letters a bundle the server refuses, with the server’s words, and sends the next one', async () => {
    ehr.respondNext(422);
    await queue([bundleMessage('report/2', 2), bundleMessage('report/3', 3)]);
    const [refused, next] = [await settled('report/2'), await settled('report/3')];
    assert.equal(refused.status, 'failed');
    assert.equal(refused.attempts, 1, 'not tried again');
    assert.match(refused.lastError ?? '', /answered HTTP 422: .*OperationOutcome/);
    assert.equal(next.status, 'sent');
  });

  it('dead-letters a bundle that is not FHIR, which the server answers 400', async () => {
    await queue([{ channel: 'fhir', destination: 'ehr', messageKey: 'report/bad', controlId: 'bad', body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Observation', id: 'x', status: 'bogus' }, request: { method: 'PUT', url: 'Observation/x' } }] }) }]);
    const refused = await settled('report/bad');
    assert.equal(refused.status, 'failed');
    assert.match(refused.lastError ?? '', /HTTP 400/);
  });

  it('signs each try of a webhook anew with the same id and body, and dead-letters what the receiver refuses', async () => {
    hook.respondNext(503);
    await queue([hookMessage('w/1')]);
    const retried = await settled('w/1');
    hook.respondNext(400);
    await queue([hookMessage('w/2')]);
    const refused = await settled('w/2');
    await queue([hookMessage('w/3', 'forged')]);
    const unverified = await settled('w/3');
    assert.equal(retried.status, 'sent');
    const tries = hook.deliveries.filter((d) => d.id === 'msg_w/1');
    assert.deepEqual(tries.map((d) => [d.answer, d.verified, d.rawBody]), [[503, true, '{"key":"w/1"}'], [204, true, '{"key":"w/1"}']]);
    assert.equal(refused.status, 'failed');
    assert.match(refused.lastError ?? '', /answered HTTP 400/);
    assert.equal(unverified.status, 'failed', 'a receiver that cannot verify the signature answers 401: refused for good');
    assert.match(unverified.lastError ?? '', /HTTP 401/);
  });
});
