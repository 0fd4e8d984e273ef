import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import dcmjs from 'dcmjs';
import type { AnalysisInput } from '../../src/analyze/analyzer.js';
import { classifySeries } from '../../src/classify/classify-series.js';
import { seriesFacts } from '../../src/classify/series-facts.js';
import type { JsonDict } from '../../src/imaging/pixel-description.js';

/** An analysis input over files on disk, as the analysis stage hands it to an analyzer. */
export function analysisInputOf(studyUid: string, series: Array<{ seriesUid: string; modality: string; files: string[]; sopInstanceUids: string[] }>): AnalysisInput {
  const hash = createHash('sha256');
  const input: AnalysisInput = {
    studyUid,
    mode: 'assistive',
    inputHash: '',
    series: series.map((s) => {
      const first = readFileSync(s.files[0] ?? '');
      const header = dcmjs.data.DicomMessage.readFile(first.buffer.slice(first.byteOffset, first.byteOffset + first.byteLength), { untilTag: '7FE00010' }).dict as JsonDict;
      for (const file of s.files) hash.update(createHash('sha256').update(readFileSync(file)).digest());
      return {
        seriesUid: s.seriesUid,
        modality: s.modality,
        classification: classifySeries(seriesFacts(header)),
        instances: s.files.map((file, i) => ({ sopInstanceUid: s.sopInstanceUids[i] ?? '', file })),
      };
    }),
  };
  return { ...input, inputHash: hash.digest('hex') };
}
