import type { JsonDict } from '../imaging/pixel-description.js';

/** What the classifiers read from a series: its header attributes and, for CT, where its slices lie. */
export interface SeriesFacts {
  modality: string | undefined;
  bodyPartExamined: string | undefined;
  studyDescription: string | undefined;
  seriesDescription: string | undefined;
  protocolName: string | undefined;
  imageType: string[];
  convolutionKernel: string | undefined;
  contrastBolusAgent: string | undefined;
  /** Row and column direction cosines (0020,0037). */
  imageOrientation: number[] | undefined;
  viewPosition: string | undefined;
  laterality: string | undefined;
  imageComments: string | undefined;
  numberOfFrames: number;
  /** Lowest and highest slice position along patient z (mm), for CT series. */
  zRange: [number, number] | undefined;
}

function values(dict: JsonDict, tag: string): unknown[] {
  return dict[tag]?.Value ?? [];
}

function str(dict: JsonDict, tag: string): string | undefined {
  const v = values(dict, tag)
    .filter((x): x is string | number => typeof x === 'string' || typeof x === 'number')
    .join('\\')
    .trim();
  return v === '' ? undefined : v;
}

function numbers(dict: JsonDict, tag: string): number[] | undefined {
  const v = values(dict, tag).map(Number);
  return v.length > 0 && v.every(Number.isFinite) ? v : undefined;
}

/** Facts from one representative instance's header (DICOM JSON as dcmjs reads it) and the series' slice z positions. */
export function seriesFacts(dict: JsonDict, sliceZ: number[] = []): SeriesFacts {
  return {
    modality: str(dict, '00080060'),
    bodyPartExamined: str(dict, '00180015'),
    studyDescription: str(dict, '00081030'),
    seriesDescription: str(dict, '0008103E'),
    protocolName: str(dict, '00181030'),
    imageType: (str(dict, '00080008') ?? '').toUpperCase().split('\\').filter(Boolean),
    convolutionKernel: str(dict, '00181210'),
    contrastBolusAgent: str(dict, '00180010'),
    imageOrientation: numbers(dict, '00200037'),
    viewPosition: str(dict, '00185101'),
    laterality: str(dict, '00200062') ?? str(dict, '00200060'),
    imageComments: str(dict, '00204000'),
    numberOfFrames: Number(str(dict, '00280008') ?? 1) || 1,
    zRange: sliceZ.length > 0 ? [Math.min(...sliceZ), Math.max(...sliceZ)] : undefined,
  };
}
