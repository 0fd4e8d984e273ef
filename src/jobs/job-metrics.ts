import { Counter, Gauge, type Registry } from 'prom-client';
import type { Database } from '../store/database.js';
import { countDeadLetters } from '../store/job-records.js';

export interface JobMetrics {
  started: Counter<'kind'>;
  succeeded: Counter<'kind'>;
  retried: Counter<'kind'>;
  deadLettered: Counter<'kind'>;
}

/** A metric of this name already in the registry (a second engine in the process), else a new one. */
function counter(registry: Registry, name: string, help: string): Counter<'kind'> {
  const existing = registry.getSingleMetric(name);
  return existing instanceof Counter ? existing : new Counter({ name, help, labelNames: ['kind'], registers: [registry] });
}

export function createJobMetrics(registry: Registry, database: Database): JobMetrics {
  if (!registry.getSingleMetric('radbridge_jobs_dead_letters')) {
    new Gauge({
      name: 'radbridge_jobs_dead_letters',
      help: 'Jobs on the dead-letter list (status failed), by kind',
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const { kind, count } of await countDeadLetters(database.db)) this.set({ kind }, count);
      },
    });
  }
  return {
    started: counter(registry, 'radbridge_jobs_started_total', 'Job attempts started, by kind'),
    succeeded: counter(registry, 'radbridge_jobs_succeeded_total', 'Jobs that succeeded, by kind'),
    retried: counter(registry, 'radbridge_jobs_retried_total', 'Failed attempts queued again with backoff, by kind'),
    deadLettered: counter(registry, 'radbridge_jobs_dead_lettered_total', 'Jobs moved to the dead-letter list, by kind'),
  };
}
