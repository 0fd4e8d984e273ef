import type { Finding } from '../../domain/finding.js';
import { imagesOf, seriesSliceOf, thresholdFor, type DecodeContext } from './decode-context.js';
import type { ClassificationOutput } from './model-manifest.js';
import type { Tile } from './tiling.js';

/**
 * Classification scores to one study-level presence finding per label: present when the score
 * reaches the label's threshold for the rollout mode in force, absent below it; the score is the
 * confidence. With max aggregation the finding points at the slice (or patch) that scored highest.
 */
export function decodeClassification(spec: ClassificationOutput, scores: readonly number[], best: readonly Tile[], context: DecodeContext): Finding[] {
  return spec.labels.map((label) => {
    const score = scores[label.index] ?? 0;
    const tile = best[label.index];
    const images = tile
      ? imagesOf(context, seriesSliceOf(context, tile.origin[2]), seriesSliceOf(context, tile.origin[2] + tile.size[2] - 1))
      : imagesOf(context);
    return {
      type: label.type,
      presence: score >= thresholdFor(label.threshold, context.mode) ? 'present' : 'absent',
      ...(label.site ? { site: label.site } : {}),
      measurements: [],
      confidence: score,
      location: { images },
      source: context.source,
    };
  });
}
