import dcmjs from 'dcmjs';

/** The one way a result object becomes a file (docs/adr/0020-result-objects.md). */

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

/** A writer's naturalized data set as Part 10 bytes, Explicit VR Little Endian, with a file meta header dcmjs fills in from the data set. */
export function part10Bytes(dataset: Record<string, unknown>): Uint8Array {
  const withMeta = { ...dataset, _meta: { TransferSyntaxUID: { vr: 'UI', Value: [EXPLICIT_VR_LITTLE_ENDIAN] } } };
  return new Uint8Array(dcmjs.data.datasetToBuffer(withMeta));
}
