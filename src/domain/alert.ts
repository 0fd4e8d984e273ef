import { createHash } from 'node:crypto';

/**
 * A critical or urgent finding that must reach a person: raised once per study and level when an
 * analyzer in active mode makes the study urgent or critical, sent to the contacts of its
 * escalation policy step by step until someone acknowledges it (docs/adr/0023-alerts-fhir-webhooks.md).
 */

export type AlertLevel = 'critical' | 'urgent';

/** created: raised, nothing confirmed yet; delivered: a contact's system confirmed receipt; acknowledged: a person or system said it is being handled. */
export type AlertState = 'created' | 'delivered' | 'acknowledged';

/** What each message about an alert says, whatever carries it (webhook, FHIR Communication). */
export interface AlertNotice {
  /** Stable and opaque: carries no patient data. */
  alertId: string;
  level: AlertLevel;
  /** Escalation step the message belongs to, 0 the first. */
  step: number;
  /** Why the study is critical or urgent, one line per reason (from the criticality table). */
  reasons: string[];
  /** When the alert was raised, ms since the epoch. */
  createdAt: number;
  /** The study's patient and study attributes by DICOM keyword (PatientID, PatientName, AccessionNumber, StudyInstanceUID, ...). */
  study: Record<string, string | undefined>;
  /** The trauma activation level HL7 orders or admissions gave the study (ADR 22), when any did. */
  traumaActivation?: string;
}

/** The alert of a study at a level: one per study and level, its id derived from both so raising it again finds the same alert. */
export function alertIdOf(studyUid: string, level: AlertLevel): string {
  return `al-${createHash('sha256').update(`alert/${studyUid}/${level}`).digest('hex').slice(0, 24)}`;
}

/** The policy step that step `n` tells: the steps in order, then the last one again each time it passes. */
export function policyStepOf<T>(steps: readonly T[], n: number): T | undefined {
  return steps[Math.min(n, steps.length - 1)];
}
