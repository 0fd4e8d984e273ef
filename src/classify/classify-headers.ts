import type { JsonDict } from '../imaging/pixel-description.js';
import { classifySeries, type SeriesClassification } from './classify-series.js';
import { seriesFacts } from './series-facts.js';

const IMAGE_POSITION = '00200032';

function sliceZ(headers: readonly JsonDict[]): number[] {
  return headers.flatMap((h) => {
    const position = h[IMAGE_POSITION]?.Value;
    const z = Number(position?.[2]);
    return position?.length === 3 && Number.isFinite(z) ? [z] : [];
  });
}

/**
 * A series classified from the headers of its instances, without decoding pixels: the first header
 * stands for the series' attributes, the slice positions of all of them give its z-range, so a
 * pan-scan is split into regions.
 */
export function classifyHeaders(headers: readonly JsonDict[]): SeriesClassification {
  return classifySeries(seriesFacts(headers[0] ?? {}, sliceZ(headers)));
}
