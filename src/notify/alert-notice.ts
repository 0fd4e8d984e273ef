import type { AlertLevel, AlertNotice } from '../domain/alert.js';
import type { Database } from '../store/database.js';
import { studyClinicalContext } from '../store/order-context.js';
import { studyAttributes } from '../store/study-attributes.js';

/** What step `step` of an alert says: the alert, and the study's attributes and trauma activation as the index knows them now. */
export async function alertNotice(database: Database, alert: { alertId: string; studyUid: string; level: AlertLevel; reasons: string[]; createdAt: number }, step: number): Promise<AlertNotice> {
  const { traumaActivation } = await studyClinicalContext(database.db, alert.studyUid);
  return {
    alertId: alert.alertId,
    level: alert.level,
    step,
    reasons: alert.reasons,
    createdAt: alert.createdAt,
    study: await studyAttributes(database.db, alert.studyUid),
    ...(traumaActivation ? { traumaActivation } : {}),
  };
}
