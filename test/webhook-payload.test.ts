import assert from 'node:assert/strict';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { describe, it } from 'node:test';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { AlertNotice } from '../src/domain/alert.js';
import { ALERT_PLACEHOLDERS, PHI_PLACEHOLDERS, templateProblems, webhookPayload } from '../src/notify/webhook-payload.js';
import { acknowledgeToken, isAcknowledgeToken, secretProblem, webhookHeaders } from '../src/notify/webhook-signature.js';
import { makeWebhookSecret, startWebhookReceiver } from './support/webhook-receiver.js';

const notice = (study: AlertNotice['study'] = {}): AlertNotice => ({
  alertId: 'alr_7f3c9a', level: 'critical', step: 1, reasons: ['intracranial haemorrhage of 32 mL ≥ 30 mL', 'free fluid in 3 regions'], createdAt: Date.UTC(2026, 11, 4, 9, 30), study,
});
const study = {
  PatientName: 'Doe^Jane', PatientID: 'P-778899', AccessionNumber: 'ACC-55501', StudyInstanceUID: '1.2.826.0.1.3680043.8.498.12345',
  PatientBirthDate: '19800101', StudyDate: '20261203', StudyDescription: 'CT TRAUMA WHOLE BODY',
};
const ack = { url: 'https://hub.example/alerts/alr_7f3c9a/acknowledge', token: 'tok-123' };

/** Checks a Standard Webhooks signature without the library: HMAC-SHA256 over `id.timestamp.body` with the decoded key. */
function independentlyVerifies(secret: string, headers: Record<string, string>, body: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = Buffer.from(`v1,${createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64')}`);
  return (headers['webhook-signature'] ?? '').split(' ').some((s) => Buffer.byteLength(s) === expected.length && timingSafeEqual(Buffer.from(s), expected));
}

const libraryVerifies = (secret: string, headers: Record<string, string>, body: string): boolean => {
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch (err) {
    assert.ok(err instanceof WebhookVerificationError, String(err));
    return false;
  }
};

/** `text` with the byte at `i` (ASCII) changed. */
const changed = (text: string, i: number): string => `${text.slice(0, i)}${String.fromCharCode(text.charCodeAt(i) ^ 1)}${text.slice(i + 1)}`;

describe('alert webhook signatures', () => {
  it('signs so that the library and an independent HMAC accept it, and refuses any changed byte or another secret', () => {
    const secret = makeWebhookSecret();
    const body = JSON.stringify(webhookPayload(notice(study), { phi: 'minimal' }, ack));
    const at = Date.now();
    const headers = webhookHeaders(secret, 'msg_0001', at, body);
    assert.deepEqual(Object.keys(headers).sort(), ['content-type', 'webhook-id', 'webhook-signature', 'webhook-timestamp']);
    assert.equal(headers['content-type'], 'application/json');
    assert.equal(headers['webhook-timestamp'], String(Math.floor(at / 1000)), 'Unix seconds');
    assert.match(headers['webhook-signature'] ?? '', /^v1,[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
    assert.ok(independentlyVerifies(secret, headers, body));

    const ts = headers['webhook-timestamp'] ?? '';
    const tampered: Array<[string, Record<string, string>, string, string]> = [
      ['a body byte', headers, changed(body, body.indexOf('critical')), secret],
      ['the id', { ...headers, 'webhook-id': 'msg_0002' }, body, secret],
      ['the timestamp', { ...headers, 'webhook-timestamp': `${ts.slice(0, -1)}${ts.endsWith('0') ? '1' : '0'}` }, body, secret],
      ['the secret', headers, body, makeWebhookSecret()],
    ];
    for (const [what, h, b, s] of tampered) {
      assert.equal(libraryVerifies(s, h, b), false, `library, changed ${what}`);
      assert.equal(independentlyVerifies(s, h, b), false, `independent, changed ${what}`);
    }
  });

  it('gives each alert an acknowledgement token that only that alert and secret accept', () => {
    const secret = makeWebhookSecret();
    const token = acknowledgeToken(secret, 'alr_1');
    assert.match(token, /^[A-Za-z0-9_-]{43}$/, 'base64url of 32 bytes');
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    assert.equal(token, createHmac('sha256', key).update('acknowledge/alr_1').digest('base64url'));
    assert.equal(isAcknowledgeToken(secret, 'alr_1', token), true);
    assert.equal(isAcknowledgeToken(secret, 'alr_1', acknowledgeToken(secret, 'alr_2')), false, 'another alert');
    assert.equal(isAcknowledgeToken(secret, 'alr_1', acknowledgeToken(makeWebhookSecret(), 'alr_1')), false, 'another secret');
    for (const junk of [token.slice(0, -1), `${token}=`, `${token}A`, changed(token, 10), '', 'junk', ' '.repeat(43), undefined, 42, [token]]) {
      assert.equal(isAcknowledgeToken(secret, 'alr_1', junk), false, JSON.stringify(junk));
    }
  });

  it('refuses secrets that are not base64 or whose key is too short or too long', () => {
    assert.equal(secretProblem(makeWebhookSecret()), undefined);
    assert.equal(secretProblem(randomBytes(24).toString('base64')), undefined, 'the whsec_ prefix is optional');
    assert.match(secretProblem('whsec_not*base64!at~all') ?? '', /not whsec_ followed by standard base64/);
    assert.match(secretProblem(`whsec_${randomBytes(32).toString('base64url')}`) ?? '', /standard base64/, 'base64url is another alphabet');
    assert.match(secretProblem(`whsec_${randomBytes(32).toString('base64').replace(/=+$/, '')}`) ?? '', /padded/);
    assert.match(secretProblem(`whsec_${randomBytes(16).toString('base64')}`) ?? '', /16 bytes, fewer than 24/);
    assert.match(secretProblem(`whsec_${randomBytes(65).toString('base64')}`) ?? '', /65 bytes, more than 64/);
    assert.match(secretProblem('whsec_') ?? '', /empty/);
    assert.throws(() => acknowledgeToken('whsec_short', 'alr_1'), /standard base64|fewer than/);
    assert.throws(() => webhookHeaders(`whsec_${randomBytes(8).toString('base64')}`, 'msg_1', Date.now(), '{}'), /fewer than 24/);
  });
});

describe('alert webhook payloads', () => {
  it('leaves every patient and study identifier out of a PHI-minimal body and puts them in a full one', () => {
    const minimal = webhookPayload(notice(study), { phi: 'minimal' }, ack);
    assert.deepEqual(minimal, {
      type: 'radbridge.alert', alertId: 'alr_7f3c9a', level: 'critical', step: 1, reasons: notice().reasons, createdAt: '2026-12-04T09:30:00.000Z', acknowledge: ack,
    });
    const identifiers = ['Doe', 'Jane', 'P-778899', 'ACC-55501', '1.2.826.0.1.3680043.8.498.12345', '19800101', '20261203', 'TRAUMA WHOLE BODY'];
    const minimalText = JSON.stringify(minimal);
    for (const id of identifiers) assert.ok(!minimalText.includes(id), `${id} in ${minimalText}`);

    const full = webhookPayload(notice(study), { phi: 'full' }, ack);
    const fullText = JSON.stringify(full);
    for (const id of ['Jane Doe', 'P-778899', 'ACC-55501', '1.2.826.0.1.3680043.8.498.12345']) assert.ok(fullText.includes(id), `${id} in ${fullText}`);
    assert.ok(!fullText.includes('19800101'), 'the birth date is not part of the body');
    assert.deepEqual(full, {
      ...minimal,
      patient: { id: 'P-778899', name: 'Jane Doe' },
      study: { accessionNumber: 'ACC-55501', studyInstanceUid: '1.2.826.0.1.3680043.8.498.12345', studyDate: '2026-12-03', description: 'CT TRAUMA WHOLE BODY' },
    });
    assert.deepEqual(webhookPayload(notice({ PatientName: 'Doe^^^Dr ', PatientID: '  ', StudyInstanceUID: '1.2.3\0' }), { phi: 'full' }, ack), {
      ...minimal, patient: { name: 'Dr Doe' }, study: { studyInstanceUid: '1.2.3' },
    }, 'absent and empty values are left out, DICOM padding is dropped');
  });

  it('fills a template inside its strings, so hostile values stay text and the structure stays the same', () => {
    const hostile = {
      PatientName: 'O"Brien\\}}{{alertId}}\n', PatientID: '"},{"injected":true,"x":"', AccessionNumber: '{{patientName}}', StudyInstanceUID: '1.2.3', StudyDate: '2026\u2028',
    };
    const template = {
      text: 'Critical {{alertId}}: {{patientName}} ({{ patientId }}) {{accessionNumber}} — {{reasons}}',
      blocks: [{ type: 'section', text: '<{{acknowledgeUrl}}?token={{acknowledgeToken}}|Acknowledge> step {{step}}, {{level}}, {{createdAt}}' }, 7, true, null],
      '{{alertId}}': 'keys are not templated',
      unknown: '[{{nope}}][{{constructor}}][{{studyDate}}]',
    };
    const text = JSON.stringify(webhookPayload(notice(hostile), { phi: 'full', template }, ack));
    assert.deepEqual(JSON.parse(text), {
      text: `Critical alr_7f3c9a: ${hostile.PatientName} (${hostile.PatientID}) {{patientName}} — intracranial haemorrhage of 32 mL ≥ 30 mL; free fluid in 3 regions`,
      blocks: [{ type: 'section', text: `<${ack.url}?token=${ack.token}|Acknowledge> step 1, critical, 2026-12-04T09:30:00.000Z` }, 7, true, null],
      '{{alertId}}': 'keys are not templated',
      unknown: '[][][2026\u2028]',
    });
    assert.equal(webhookPayload(notice(hostile), { phi: 'full', template: '{{patientName}}' }, ack), hostile.PatientName, 'a template may be a bare string');
    assert.deepEqual(webhookPayload(notice(study), { phi: 'minimal', template: ['{{alertId}} {{patientName}}{{patientId}}{{accessionNumber}}{{studyInstanceUid}}{{studyDate}}'] }, ack), ['alr_7f3c9a '],
      'patient placeholders render empty on a PHI-minimal endpoint even if configuration let them through');
  });

  it('reports unknown placeholders, and patient ones on a PHI-minimal endpoint, with their JSON path', () => {
    const known = [...ALERT_PLACEHOLDERS, ...PHI_PLACEHOLDERS].join(', ');
    const template = { blocks: [{ type: 'section', text: '{{patientName}} {{alertID}}' }], 'odd key': ['{{ accessionNumber }}'], fine: '{{alertId}}' };
    assert.deepEqual(templateProblems(template, 'minimal'), [
      '$.blocks[0].text: {{patientName}} is patient data, and this endpoint is PHI-minimal',
      `$.blocks[0].text: {{alertID}} is not a known placeholder (known: ${known})`,
      '$["odd key"][0]: {{ accessionNumber }} is patient data, and this endpoint is PHI-minimal',
    ]);
    assert.deepEqual(templateProblems(template, 'full'), [`$.blocks[0].text: {{alertID}} is not a known placeholder (known: ${known})`]);
    const good = { text: '{{level}} alert {{alertId}} (step {{step}}): {{reasons}} at {{createdAt}}. Acknowledge: {{acknowledgeUrl}}?token={{acknowledgeToken}}', n: 1, ok: false, none: null };
    assert.deepEqual(templateProblems(good, 'minimal'), []);
    assert.deepEqual(templateProblems({ text: '{{patientName}} {{patientId}} {{accessionNumber}} {{studyInstanceUid}} {{studyDate}}' }, 'full'), []);
    assert.deepEqual(templateProblems({ a: [undefined], b: Number.NaN }, 'full'), ['$.a[0]: not a JSON value (undefined)', '$.b: not a JSON value (number)']);
  });
});

describe('alert webhook receiver', () => {
  it('records a signed delivery as verified, answers 401 to a bad signature, and fails, delays or drops when told to', async () => {
    const receiver = await startWebhookReceiver();
    try {
      const body = JSON.stringify(webhookPayload(notice(study), { phi: 'minimal' }, ack));
      const post = (headers: Record<string, string>) => fetch(receiver.url, { method: 'POST', headers, body });

      const sentAt = Date.now();
      const ok = await post(webhookHeaders(receiver.secret, 'msg_e2e_1', sentAt, body));
      assert.equal(ok.status, 204);
      assert.equal(receiver.deliveries.length, 1);
      const [first] = receiver.deliveries;
      assert.equal(first?.verified, true);
      assert.equal(first?.id, 'msg_e2e_1');
      assert.equal(first?.timestamp, Math.floor(sentAt / 1000));
      assert.deepEqual(first?.body, JSON.parse(body));
      assert.equal(first?.headers['content-type'], 'application/json');

      const forged = await post(webhookHeaders(makeWebhookSecret(), 'msg_e2e_2', Date.now(), body));
      assert.equal(forged.status, 401);
      assert.equal(receiver.deliveries.at(-1)?.verified, false);
      assert.equal(receiver.deliveries.at(-1)?.answer, 401);

      receiver.respondNext(503);
      assert.equal((await post(webhookHeaders(receiver.secret, 'msg_e2e_3', Date.now(), body))).status, 503);
      assert.equal(receiver.deliveries.at(-1)?.verified, true, 'a failed answer still records what arrived');
      assert.equal((await post(webhookHeaders(receiver.secret, 'msg_e2e_3', Date.now(), body))).status, 204, 'only the next answer fails');

      receiver.delayNext(300);
      const started = Date.now();
      assert.equal((await post(webhookHeaders(receiver.secret, 'msg_e2e_4', Date.now(), body))).status, 204);
      assert.ok(Date.now() - started >= 290, 'answered late');

      receiver.dropNext();
      await assert.rejects(post(webhookHeaders(receiver.secret, 'msg_e2e_5', Date.now(), body)));
      assert.equal(receiver.deliveries.at(-1)?.answer, 'dropped');
      assert.equal(receiver.deliveries.length, 6);
    } finally {
      await receiver.close();
    }
  });
});
