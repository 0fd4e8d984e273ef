import { Counter, Histogram, Gauge, type Registry } from 'prom-client';

export interface IngestMetrics {
  received: Counter<'via' | 'outcome'>;
  rejected: Counter<'via' | 'code'>;
  bytes: Counter<'via'>;
  storeSeconds: Histogram<'via'>;
  associations: Gauge;
}

export function createIngestMetrics(registry: Registry): IngestMetrics {
  return {
    received: new Counter({ name: 'radbridge_instances_received_total', help: 'Instances stored or recognised as duplicates', labelNames: ['via', 'outcome'], registers: [registry] }),
    rejected: new Counter({ name: 'radbridge_instances_rejected_total', help: 'Objects refused, by error code', labelNames: ['via', 'code'], registers: [registry] }),
    bytes: new Counter({ name: 'radbridge_received_bytes_total', help: 'Bytes of stored objects', labelNames: ['via'], registers: [registry] }),
    storeSeconds: new Histogram({
      name: 'radbridge_store_seconds',
      help: 'Time from the end of an object to its durable acknowledgement',
      labelNames: ['via'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    associations: new Gauge({ name: 'radbridge_dimse_associations', help: 'Open DICOM associations', registers: [registry] }),
  };
}
