/**
 * Rollout modes per analyzer and site (ARCHITECTURE.md): what an analyzer's results may do.
 * silent: run and store for validation, never shown, never sent. assistive: shown to the
 * radiologist, no reprioritisation, no alerts. active: shown, reprioritise and alert.
 */
export const rolloutModes = ['silent', 'assistive', 'active'] as const;
export type RolloutMode = (typeof rolloutModes)[number];

export interface ModePermissions {
  /** Findings appear on the worklist and review screen, and results go to the PACS. */
  show: boolean;
  /** Findings may raise the study's priority. */
  reprioritize: boolean;
  /** Findings may alert the trauma team. */
  alert: boolean;
}

const permissions: Record<RolloutMode, ModePermissions> = {
  silent: { show: false, reprioritize: false, alert: false },
  assistive: { show: true, reprioritize: false, alert: false },
  active: { show: true, reprioritize: true, alert: true },
};

export function permissionsOf(mode: RolloutMode): ModePermissions {
  return permissions[mode];
}

/** A new analyzer starts silent: nothing it says reaches anyone until someone decides otherwise. */
export const DEFAULT_ROLLOUT_MODE: RolloutMode = 'silent';

export function isRolloutMode(value: unknown): value is RolloutMode {
  return typeof value === 'string' && (rolloutModes as readonly string[]).includes(value);
}
