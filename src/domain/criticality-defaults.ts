import { ACTIVE_EXTRAVASATION, FREE_FLUID, HAEMOTHORAX, INTRACRANIAL_HAEMORRHAGE, LENGTH, MIDLINE_SHIFT, PNEUMOTHORAX, VOLUME } from './trauma-codes.js';
import type { CriticalityTable } from './criticality-table.js';

const ref = (c: { scheme: string; value: string }) => ({ scheme: c.scheme, value: c.value });

/** The table used when triage.criticalityFile names none; docs/criticality-example.yaml is the same table written out. */
export const defaultCriticalityTable: CriticalityTable = {
  version: 1,
  rules: [
    { id: 'ich-large', level: 'critical', finding: ref(INTRACRANIAL_HAEMORRHAGE), label: 'intracranial haemorrhage', measurement: { concept: ref(VOLUME), atLeast: 30, unit: 'mL' } },
    { id: 'ich-any', level: 'urgent', finding: ref(INTRACRANIAL_HAEMORRHAGE), label: 'intracranial haemorrhage' },
    { id: 'midline-shift', level: 'critical', finding: ref(MIDLINE_SHIFT), label: 'midline shift', measurement: { concept: ref(LENGTH), atLeast: 5, unit: 'mm' } },
    { id: 'haemothorax-massive', level: 'critical', finding: ref(HAEMOTHORAX), label: 'haemothorax', measurement: { concept: ref(VOLUME), atLeast: 1500, unit: 'mL' } },
    { id: 'haemothorax-any', level: 'urgent', finding: ref(HAEMOTHORAX), label: 'haemothorax' },
    { id: 'pneumothorax-any', level: 'critical', finding: ref(PNEUMOTHORAX), label: 'pneumothorax' },
    { id: 'active-extravasation', level: 'critical', finding: ref(ACTIVE_EXTRAVASATION), label: 'active extravasation' },
    { id: 'free-fluid-any', level: 'urgent', finding: ref(FREE_FLUID), label: 'free fluid' },
  ],
};
