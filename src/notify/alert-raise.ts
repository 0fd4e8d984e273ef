import { alertIdOf, policyStepOf } from '../domain/alert.js';
import type { JobHandler } from '../jobs/job-engine.js';
import { createAlert } from '../store/alerts.js';
import type { NotifyDeps } from './notify-deps.js';
import { alertMessages } from './alert-messages.js';
import { alertNotice } from './alert-notice.js';

/**
 * Runs an 'alert.raise' job: creates the study's alert at its level, once
 * (docs/adr/0023-alerts-fhir-webhooks.md), with the messages to the first step's contacts and, when
 * the policy has steps, the escalation due after the first step's time. Without steps the alert is
 * still created, shown by the API, and waits there for someone to acknowledge it.
 */
export function alertRaiseHandler(deps: NotifyDeps): JobHandler<'alert.raise'> {
  return async (payload, ctx) => {
    const now = deps.now();
    const alertId = alertIdOf(payload.studyUid, payload.level);
    const first = policyStepOf(deps.config.alerts[payload.level].steps, 0);
    const notice = await alertNotice(deps.database, { alertId, studyUid: payload.studyUid, level: payload.level, reasons: payload.reasons, createdAt: now }, 0);
    const messages = first ? alertMessages(deps, notice, payload.studyUid, first.contacts, now) : [];
    const work = first ? { messages, escalateAt: now + first.escalateAfterMs } : { messages };
    const created = await createAlert(deps.database, { alertId, studyUid: payload.studyUid, level: payload.level, reasons: payload.reasons }, work, now);
    if (created) deps.metrics.raised.inc({ level: payload.level });
    deps.log.info({ component: 'alerts', jobId: ctx.jobId, studyUid: payload.studyUid, alertId, level: payload.level, created, messages: messages.length }, created ? 'alert raised' : 'alert exists already');
  };
}
