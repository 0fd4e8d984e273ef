import type { Logger } from 'pino';

export interface PeriodicTask {
  /** Resolves when no run is in progress. */
  settled: () => Promise<void>;
  /** Stops the timer and waits for a run in progress. */
  stop: () => Promise<void>;
}

/** Runs `task` every `intervalMs`, never two runs at once; a failed run is logged and the next one goes ahead. */
export function runPeriodically(task: () => Promise<void>, intervalMs: number, log: Logger, name: string): PeriodicTask {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = task()
      .catch((err: unknown) => log.error({ err }, `${name} failed`))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, intervalMs);
  return {
    settled: async () => {
      await running;
    },
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
