import { policyStepOf } from '../domain/alert.js';
import { PermanentJobError, type JobHandler } from '../jobs/job-engine.js';
import { escalateAlert, findAlert } from '../store/alerts.js';
import type { NotifyDeps } from './notify-deps.js';
import { alertMessages } from './alert-messages.js';
import { alertNotice } from './alert-notice.js';

/**
 * Runs an 'alert.escalate' job, due when a step's time has passed: unless someone acknowledged the
 * alert, it moves to the next step, tells that step's contacts, and schedules the step after; past
 * the last step, the last step's contacts are told again each time it passes, until someone
 * acknowledges. An acknowledged alert, or one that has moved on, is left as it is.
 */
export function alertEscalateHandler(deps: NotifyDeps): JobHandler<'alert.escalate'> {
  return async (payload, ctx) => {
    const alert = await findAlert(deps.database.db, payload.alertId);
    if (!alert) throw new PermanentJobError(`alert ${payload.alertId} does not exist`);
    if (alert.state === 'acknowledged' || alert.step !== payload.step) return;
    const now = deps.now();
    const next = payload.step + 1;
    const step = policyStepOf(deps.config.alerts[alert.level].steps, next);
    if (!step) throw new PermanentJobError(`alert ${alert.alertId}: the ${alert.level} policy has no steps any more`);
    const notice = await alertNotice(deps.database, alert, next);
    const messages = alertMessages(deps, notice, alert.studyUid, step.contacts, now);
    const escalated = await escalateAlert(deps.database, alert, payload.step, { messages, escalateAt: now + step.escalateAfterMs }, now);
    if (escalated) deps.metrics.escalated.inc({ level: alert.level });
    deps.log.warn({ component: 'alerts', jobId: ctx.jobId, studyUid: alert.studyUid, alertId: alert.alertId, level: alert.level, step: next, escalated, messages: messages.length }, escalated ? 'alert not acknowledged in time: escalated' : 'alert acknowledged or moved on meanwhile');
  };
}
