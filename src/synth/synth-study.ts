import { CT_KINDS, ctStudy, type CtKind } from './ct-study.js';
import { XR_KINDS, type XrKind } from './radiograph-anatomy.js';
import { radiographStudy } from './radiograph-study.js';
import { ultrasoundStudy } from './ultrasound-study.js';
import type { SynthOptions, SynthStudy } from './synth-object.js';

export const SYNTH_KINDS = [...CT_KINDS, ...XR_KINDS, 'us-fast'] as const;
export type SynthKind = (typeof SYNTH_KINDS)[number];

export function isSynthKind(kind: string): kind is SynthKind {
  return (SYNTH_KINDS as readonly string[]).includes(kind);
}

/** Generates a synthetic study of the given kind; the same options give the same study. */
export function synthStudy(kind: SynthKind, o: SynthOptions): SynthStudy {
  if ((CT_KINDS as readonly string[]).includes(kind)) return ctStudy(kind as CtKind, o);
  if ((XR_KINDS as readonly string[]).includes(kind)) return radiographStudy(kind as XrKind, o);
  return ultrasoundStudy('us-fast', o);
}
