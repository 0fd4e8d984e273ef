import { completeQuietSeries, completeReadyStudies } from '../store/completion-index.js';
import type { IngestDeps } from './ingest-deps.js';
import { runPeriodically } from './periodic-task.js';

/** Runs the completion checks on a timer; one sweep at a time. */
export function startCompletionSweeper(deps: IngestDeps): { stop: () => Promise<void>; sweep: () => Promise<void> } {
  const sweep = async (): Promise<void> => {
    const now = deps.now();
    const series = await completeQuietSeries(deps.database, now);
    const studies = await completeReadyStudies(deps.database, deps.config.completion.expectedSeries, now);
    if (series > 0 || studies > 0) deps.log.info({ series, studies }, 'completion sweep');
  };
  const task = runPeriodically(sweep, deps.config.completion.sweepIntervalMs, deps.log, 'completion sweep');
  return {
    sweep: async () => {
      await task.settled();
      await sweep();
    },
    stop: task.stop,
  };
}
