import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alertIdOf } from '../src/domain/alert.js';
import { enqueueJob } from '../src/store/job-queue.js';
import { recordOrderContext } from '../src/store/order-context.js';
import { startFhirServer, type FhirTestServer } from './support/fhir-server.js';
import { fhirSchemaErrors } from './support/fhir-schema.js';
import { writeSeededCt, seededStudy, seededValues } from './support/seeded-dicom.js';
import { missingTools } from './support/interop.js';
import { stow } from './support/stow-client.js';
import { postgresDatabase, startTestHub, tempDir, type TestHub } from './support/test-hub.js';
import { until } from './support/until.js';
import { startWebhookReceiver, type WebhookReceiver } from './support/webhook-receiver.js';

/**
 * The alert lifecycle through the hub's job engine on a clock of the test's own: a critical alert
 * reaches the first step's contacts (a signed PHI-minimal webhook, a FHIR Communication) through
 * the outbox despite failures, is delivered, escalates to the next contact exactly when its time
 * has passed (not a millisecond before), tells the last step again while nobody acknowledges, and
 * stops once a receiving system acknowledges with its token; a person's acknowledgement withdraws
 * messages not yet sent. Bad acknowledgements are refused and audited.
 */

const skip = missingTools('dump2dcm');
const FIRST_STEP_MS = 120_000;
const LAST_STEP_MS = 60_000;

type Json = Record<string, unknown>;

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`alerts on ${kind}`, { skip }, () => {
    let hub: TestHub;
    let team: WebhookReceiver;
    let lead: WebhookReceiver;
    let ehr: FhirTestServer;
    /** The hub's clock, moved by the tests. It starts 4 minutes back, as receivers verify webhook timestamps within 5 minutes of their own clock either way and the tests move it about 8 minutes on. */
    let t = Date.now() - 240_000;
    const study = seededStudy(8100 + (kind === 'sqlite' ? 1 : 2));
    const dir = tempDir();
    const http = async (method: string, route: string, body?: unknown): Promise<{ status: number; body: Json }> => {
      const r = await fetch(`${hub.url}${route}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) }) });
      return { status: r.status, body: (await r.json()) as Json };
    };
    const alertOf = async (alertId: string) => (await http('GET', `/api/alerts/${alertId}`)).body;
    const verified = (r: WebhookReceiver) => r.deliveries.filter((d) => d.verified && d.answer !== 'dropped' && typeof d.answer === 'number' && d.answer < 300);
    const raise = (studyUid: string) => enqueueJob(hub.app.database.db, 'alert.raise', { studyUid, level: 'critical', reasons: ['intracranial haemorrhage of 32 mL ≥ 30 mL'] }, `alert.raise/${studyUid}/critical`, t);
    /** Lets the job engine run what is due at the current time, then returns. */
    const settle = async () => {
      await new Promise((resolve) => setTimeout(resolve, 300));
    };

    before(async () => {
      team = await startWebhookReceiver();
      lead = await startWebhookReceiver();
      ehr = await startFhirServer();
      writeFileSync(path.join(dir, 'team.secret'), `${team.secret}\n`);
      writeFileSync(path.join(dir, 'lead.secret'), lead.secret);
      hub = await startTestHub(
        {
          ...(kind === 'postgres' ? { database: postgresDatabase() } : {}),
          completion: { quietPeriodMs: 600_000, sweepIntervalMs: 600_000 },
          jobs: { pollIntervalMs: 20, backoffBaseMs: 1, backoffMaxMs: 1 },
          webhooks: {
            endpoints: {
              'trauma-team': { url: team.url, secretFile: path.join(dir, 'team.secret'), timeoutMs: 500 },
              'trauma-lead': { url: lead.url, secretFile: path.join(dir, 'lead.secret'), phi: 'full' },
            },
          },
          fhir: { servers: { ehr: { baseUrl: ehr.url } } },
          alerts: {
            critical: {
              steps: [
                { contacts: [{ webhook: 'trauma-team' }, { fhir: 'ehr', recipient: 'PractitionerRole/trauma-team' }], escalateAfterMs: FIRST_STEP_MS },
                { contacts: [{ webhook: 'trauma-lead' }], escalateAfterMs: LAST_STEP_MS },
              ],
            },
          },
        },
        tempDir(),
        { now: () => t },
      );
      const file = writeSeededCt(dir, study, 0);
      assert.equal((await stow(hub.url, [readFileSync(file)])).status, 200);
    });
    after(async () => {
      await hub?.stop();
      await Promise.all([team?.close(), lead?.close(), ehr?.close()]);
      rmSync(dir, { recursive: true, force: true });
    });

    it('reaches the first contacts through failures, escalates on time, repeats the last step and stops when a system acknowledges', async () => {
      const alertId = alertIdOf(study.studyUid, 'critical');
      team.respondNext(503, 2);
      team.dropNext();
      ehr.respondNext(503);
      await recordOrderContext(hub.app.database.db, { messageType: 'ADT^A01', patientId: seededValues.patientId, traumaActivation: 'Level 1' }, t);
      const raisedAt = t;
      await raise(study.studyUid);

      const first = await until('the first step delivered to the team', () => Promise.resolve(verified(team)[0]), 30_000);
      await until('the Communication stored', () => Promise.resolve([...ehr.resources.keys()].some((k) => k.startsWith('Communication/')) || undefined), 30_000);
      const tried = team.deliveries.filter((d) => d.id === first.id);
      assert.ok(tried.length >= 4, `503, 503, dropped, then accepted: ${tried.map((d) => d.answer).join(', ')}`);
      assert.ok(team.deliveries.every((d) => d.id === first.id && d.rawBody === first.rawBody), 'every try carries the same webhook-id and body');
      const body = first.body as Json;
      assert.equal(body.alertId, alertId);
      assert.equal(body.level, 'critical');
      assert.equal(body.step, 0);
      assert.equal(body.traumaActivation, 'Level 1', 'the trauma activation an ADT gave, for the team');
      for (const value of [seededValues.patientName, 'SEEDNAME', seededValues.patientId, seededValues.accession, study.studyUid, seededValues.birthDate]) {
        assert.ok(!first.rawBody.includes(value), `the PHI-minimal webhook does not carry ${value}`);
      }
      const communications = [...ehr.resources.values()].filter((r) => r.resourceType === 'Communication');
      assert.equal(communications.length, 1);
      assert.equal(communications[0]?.meta.versionId, '1', 'stored once, though the first POST failed');
      assert.deepEqual(fhirSchemaErrors(communications[0]), []);
      assert.equal(communications[0]?.priority, 'stat');
      assert.match(JSON.stringify(communications[0]?.payload), /Trauma activation: Level 1/);

      let alert = await alertOf(alertId);
      assert.equal(alert.state, 'delivered');
      assert.equal(alert.step, 0);
      assert.equal(alert.createdAt, raisedAt);
      const jobs = (await http('GET', '/api/jobs?kind=alert.escalate')).body.jobs as Json[];
      assert.equal(jobs.length, 1);
      assert.equal(Number(jobs[0]?.run_after), raisedAt + FIRST_STEP_MS, 'the escalation is due exactly the step time after the alert');

      t = raisedAt + FIRST_STEP_MS - 1;
      await settle();
      assert.equal(lead.deliveries.length, 0, 'nothing escalates a millisecond early');
      assert.equal((await alertOf(alertId)).step, 0);

      t = raisedAt + FIRST_STEP_MS;
      const escalated = await until('the lead told', () => Promise.resolve(verified(lead)[0]), 30_000);
      alert = await alertOf(alertId);
      assert.equal(alert.step, 1);
      assert.equal(alert.escalatedAt, raisedAt + FIRST_STEP_MS);
      const full = escalated.body as Json;
      assert.equal(full.step, 1);
      assert.ok(escalated.rawBody.includes(seededValues.patientId), 'the PHI-full endpoint is told the patient');

      t += LAST_STEP_MS;
      const repeated = await until('the last step told again', () => Promise.resolve(verified(lead)[1]), 30_000);
      assert.equal((repeated.body as Json).step, 2);
      assert.notEqual(repeated.id, escalated.id, 'a new step is a new message');
      assert.equal(team.deliveries.filter((d) => (d.body as Json | undefined)?.step !== 0).length, 0, 'the first step is not told again');

      const acknowledge = (full.acknowledge ?? {}) as Json;
      assert.equal(acknowledge.url, `/api/alerts/${alertId}/acknowledgement`);
      t += 5_000;
      const ack = await http('POST', `/api/alerts/${alertId}/acknowledgement`, { by: 'trauma pager', token: acknowledge.token });
      assert.equal(ack.status, 200, JSON.stringify(ack.body));
      assert.equal(ack.body.state, 'acknowledged');
      assert.equal(ack.body.acknowledgedVia, 'system');
      assert.equal(ack.body.timeToAcknowledgeMs, t - raisedAt);

      const told = lead.deliveries.length;
      t += LAST_STEP_MS * 3;
      await settle();
      assert.equal(lead.deliveries.length, told, 'nothing more once acknowledged');
      const metrics = await (await fetch(`${hub.url}/metrics`)).text();
      assert.match(metrics, /radbridge_alert_time_to_acknowledge_seconds_count\{level="critical",via="system"\} 1/);
      const audit = await hub.app.database.db.selectFrom('audit_log').select(['event_type', 'outcome']).where('study_uid', '=', study.studyUid).orderBy('seq').execute();
      const types = audit.map((a) => a.event_type).filter((e) => e.startsWith('alert.'));
      assert.deepEqual(types, ['alert.created', 'alert.delivered', 'alert.escalated', 'alert.escalated', 'alert.acknowledged']);
    });

    it('withdraws messages not yet sent once a person acknowledges, and keeps the first acknowledgement', async () => {
      const other = seededStudy(8200 + (kind === 'sqlite' ? 1 : 2));
      const alertId = alertIdOf(other.studyUid, 'critical');
      team.respondNext(503, 1_000_000);
      await raise(other.studyUid);
      await until('the team tried', () => Promise.resolve(team.deliveries.some((d) => (d.body as Json | undefined)?.alertId === alertId) || undefined), 30_000);
      const ack = await http('POST', `/api/alerts/${alertId}/acknowledgement`, { by: 'Dr Grey' });
      assert.equal(ack.status, 200);
      assert.equal(ack.body.acknowledgedVia, 'person');
      assert.equal(ack.body.acknowledgedBy, 'Dr Grey');
      const messages = await until('the webhook withdrawn', async () => {
        const m = (await alertOf(alertId)).messages as Json[];
        return m.some((x) => x.channel === 'webhook' && x.status === 'withdrawn') ? m : undefined;
      }, 30_000);
      assert.ok(messages.every((m) => m.body === undefined), 'the API lists messages without their text');
      const again = await http('POST', `/api/alerts/${alertId}/acknowledgement`, { by: 'Dr Blue' });
      assert.equal(again.status, 200);
      assert.equal(again.body.firstAcknowledgement, false);
      assert.equal(again.body.acknowledgedBy, 'Dr Grey');
    });

    it('escalates an alert the first contact never confirms: still created at the step time, then told to the next contact', async () => {
      const other = seededStudy(8400 + (kind === 'sqlite' ? 1 : 2));
      const alertId = alertIdOf(other.studyUid, 'critical');
      ehr.respondNext(503, 10_000);
      const raisedAt = t;
      await raise(other.studyUid);
      await until('the team tried twice', () => Promise.resolve(team.deliveries.filter((d) => (d.body as Json | undefined)?.alertId === alertId).length >= 2 || undefined), 30_000);
      const before = await alertOf(alertId);
      assert.equal(before.state, 'created', 'the team and the EHR answer 503 only: not delivered');
      const told = lead.deliveries.length;
      t = raisedAt + FIRST_STEP_MS;
      const escalated = await until('the lead told', () => Promise.resolve(lead.deliveries.slice(told).find((d) => d.verified && (d.body as Json | undefined)?.alertId === alertId)), 30_000);
      assert.equal((escalated.body as Json).step, 1);
      assert.equal((await alertOf(alertId)).state, 'delivered', 'the lead’s system confirmed it');
    });

    it('refuses bad acknowledgements with a clear error, and audits a forged token', async () => {
      const alertId = alertIdOf(study.studyUid, 'critical');
      const other = alertIdOf(seededStudy(8300).studyUid, 'critical');
      const forged = await http('POST', `/api/alerts/${other}/acknowledgement`, { by: 'someone', token: 'AAAA' });
      assert.equal(forged.status, 404, 'an unknown alert is not found, whatever the token');
      const unknownToken = await http('POST', `/api/alerts/${alertId}/acknowledgement`, { by: 'someone', token: 'bm90IGEgdG9rZW4' });
      assert.equal(unknownToken.status, 403);
      assert.equal(unknownToken.body.error, 'ALERT_TOKEN_INVALID');
      assert.equal((await http('POST', `/api/alerts/${alertId}/acknowledgement`, {})).body.error, 'BAD_REQUEST');
      assert.equal((await http('POST', `/api/alerts/${alertId}/acknowledgement`, { by: ' ' })).status, 400);
      assert.equal((await http('POST', `/api/alerts/${alertId}/acknowledgement`, { by: 'x', extra: 1 })).status, 400);
      assert.equal((await http('POST', `/api/alerts/${alertId}/acknowledgement`, '{not json')).status, 400);
      assert.equal((await http('POST', '/api/alerts/..%2Fjobs/acknowledgement', { by: 'x' })).status, 400);
      assert.equal((await http('GET', '/api/alerts?state=lost')).status, 400);
      const refused = await hub.app.database.db.selectFrom('audit_log').select(['event_type', 'outcome']).where('event_type', '=', 'alert.acknowledged').where('outcome', '=', 'serious-failure').execute();
      assert.ok(refused.length >= 1, 'the refused token is audited');
    });
  });
}
