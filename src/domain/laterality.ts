import type { Laterality } from './finding.js';

/**
 * The side of the patient a region lies on from its extent along patient x (LPS: +x is the
 * patient's left) and the patient's midline x: wholly left of the midline is left, wholly right is
 * right, across it midline. Pure.
 */
export function lateralityOfExtent(xMin: number, xMax: number, midlineX: number): Laterality {
  if (xMin > midlineX) return 'left';
  if (xMax < midlineX) return 'right';
  return 'midline';
}
