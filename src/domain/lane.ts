/**
 * Lanes order the work routing queues: urgent (a trauma activation, a critical question), normal
 * (the day's work), off-peak (research, backlog, large batch re-runs).
 */
export const LANES = ['urgent', 'normal', 'off-peak'] as const;
export type Lane = (typeof LANES)[number];

/** The claim priority of jobs in each lane: due urgent work is claimed before anything else, off-peak work only when nothing else is due. */
const PRIORITY: Record<Lane, number> = { urgent: 20, normal: 10, 'off-peak': 0 };
export const NORMAL_PRIORITY = PRIORITY.normal;

export function lanePriority(lane: Lane): number {
  return PRIORITY[lane];
}

/** Lower is sooner. */
export function laneRank(lane: Lane): number {
  return LANES.indexOf(lane);
}

/** The more urgent of two lanes. */
export function soonerLane(a: Lane, b: Lane): Lane {
  return laneRank(a) <= laneRank(b) ? a : b;
}
