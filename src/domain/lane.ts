/**
 * Lanes order the work routing queues: urgent (a trauma activation, a critical question), normal
 * (the day's work), off-peak (research, backlog, large batch re-runs).
 */
export const LANES = ['urgent', 'normal', 'off-peak'] as const;
export type Lane = (typeof LANES)[number];

/** Lower is sooner. */
export function laneRank(lane: Lane): number {
  return LANES.indexOf(lane);
}

/** The more urgent of two lanes. */
export function soonerLane(a: Lane, b: Lane): Lane {
  return laneRank(a) <= laneRank(b) ? a : b;
}
