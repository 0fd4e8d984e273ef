import type { Vec3 } from './phantom-ct.js';

export interface RegionMeasure {
  volumeMl: number;
  centreMm: Vec3;
  sizeMm: Vec3;
}

const round1 = (v: number): number => Math.round(v * 10) / 10;

/** Volume, centroid and extent of a region, by sampling a grid of `step` mm over its box. */
export function measureRegion(contains: (x: number, y: number, z: number) => boolean, box: [Vec3, Vec3], step = 1): RegionMeasure {
  const [min, max] = box;
  let count = 0;
  const axes = [0, 1, 2].map(() => ({ sum: 0, low: Infinity, high: -Infinity }));
  const add = (axis: { sum: number; low: number; high: number } | undefined, v: number): void => {
    if (!axis) return;
    axis.sum += v;
    axis.low = Math.min(axis.low, v);
    axis.high = Math.max(axis.high, v);
  };
  for (let z = min[2] + step / 2; z < max[2]; z += step) {
    for (let y = min[1] + step / 2; y < max[1]; y += step) {
      for (let x = min[0] + step / 2; x < max[0]; x += step) {
        if (!contains(x, y, z)) continue;
        count++;
        add(axes[0], x);
        add(axes[1], y);
        add(axes[2], z);
      }
    }
  }
  const centre = (a: number): number => round1((axes[a]?.sum ?? 0) / count);
  const size = (a: number): number => round1((axes[a]?.high ?? 0) - (axes[a]?.low ?? 0) + step);
  if (count === 0) return { volumeMl: 0, centreMm: [0, 0, 0], sizeMm: [0, 0, 0] };
  return {
    volumeMl: round1((count * step ** 3) / 1000),
    centreMm: [centre(0), centre(1), centre(2)],
    sizeMm: [size(0), size(1), size(2)],
  };
}
