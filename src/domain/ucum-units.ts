/**
 * The UCUM units a threshold may be compared in, pure: a value converts to another unit of the same
 * dimension (volume, length), and a unit outside this table is unknown (never guessed at).
 */

type Dimension = 'volume' | 'length';

const units: Record<string, { dimension: Dimension; factor: number }> = {
  mL: { dimension: 'volume', factor: 1 },
  cm3: { dimension: 'volume', factor: 1 },
  mm3: { dimension: 'volume', factor: 0.001 },
  L: { dimension: 'volume', factor: 1000 },
  mm: { dimension: 'length', factor: 1 },
  cm: { dimension: 'length', factor: 10 },
  m: { dimension: 'length', factor: 1000 },
};

export const knownUnits = Object.keys(units);

export const isKnownUnit = (unit: string): boolean => Object.hasOwn(units, unit);

/** `value` in `from` expressed in `to`; undefined when either unit is unknown or they measure different things. */
export function convertUnit(value: number, from: string, to: string): number | undefined {
  const a = Object.hasOwn(units, from) ? units[from] : undefined;
  const b = Object.hasOwn(units, to) ? units[to] : undefined;
  if (!a || !b || a.dimension !== b.dimension) return undefined;
  return (value * a.factor) / b.factor;
}
