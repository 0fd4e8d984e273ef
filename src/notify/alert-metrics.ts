import { Counter, Histogram, type Registry } from 'prom-client';

/** Alert counts and time to acknowledge, by level (and by who acknowledged: a person or a system). */
export interface AlertMetrics {
  raised: Counter<'level'>;
  escalated: Counter<'level'>;
  timeToAcknowledge: Histogram<'level' | 'via'>;
}

export function createAlertMetrics(registry: Registry): AlertMetrics {
  return {
    raised: new Counter({ name: 'radbridge_alerts_raised_total', help: 'Alerts raised for urgent and critical studies', labelNames: ['level'], registers: [registry] }),
    escalated: new Counter({ name: 'radbridge_alert_escalations_total', help: 'Escalation steps taken because nobody acknowledged in time', labelNames: ['level'], registers: [registry] }),
    timeToAcknowledge: new Histogram({
      name: 'radbridge_alert_time_to_acknowledge_seconds',
      help: 'From an alert being raised to its first acknowledgement',
      labelNames: ['level', 'via'],
      buckets: [30, 60, 120, 300, 600, 900, 1800, 3600, 7200],
      registers: [registry],
    }),
  };
}
