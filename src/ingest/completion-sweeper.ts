import { completeQuietSeries, completeReadyStudies } from '../store/completion-index.js';
import type { IngestDeps } from './ingest-deps.js';

/** Runs the completion checks on a timer; one sweep at a time. */
export function startCompletionSweeper(deps: IngestDeps): { stop: () => Promise<void>; sweep: () => Promise<void> } {
  let running: Promise<void> | undefined;
  const sweep = async (): Promise<void> => {
    const now = deps.now();
    const series = await completeQuietSeries(deps.database, now);
    const studies = await completeReadyStudies(deps.database, deps.config.completion.expectedSeries, now);
    if (series > 0 || studies > 0) deps.log.info({ series, studies }, 'completion sweep');
  };
  const tick = () => {
    if (running) return;
    running = sweep()
      .catch((err: unknown) => deps.log.error({ err }, 'completion sweep failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, deps.config.completion.sweepIntervalMs);
  return {
    sweep: async () => {
      await running;
      await sweep();
    },
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
