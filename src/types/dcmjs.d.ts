declare module 'dcmjs' {
  export interface DicomJsonElement {
    vr: string;
    Value?: unknown[];
    InlineBinary?: string;
    BulkDataURI?: string;
  }
  interface DicomDict {
    meta: Record<string, DicomJsonElement>;
    dict: Record<string, DicomJsonElement>;
  }
  const dcmjs: {
    data: {
      DicomMetaDictionary: {
        dictionary: Record<string, { tag: string; vr: string; name: string } | undefined>;
        /** Keyword to entry; tags read "(gggg,eeee)". */
        nameMap: Record<string, { tag: string; vr: string; name: string } | undefined>;
        /** Tag-keyed DICOM JSON to keyword-keyed values. */
        naturalizeDataset(dataset: Record<string, DicomJsonElement>): Record<string, unknown>;
      };
      /** One bit per value that is not 0, bit 0 of the first byte first. */
      BitArray: { pack(values: ArrayLike<number>): Uint8Array };
      datasetToBuffer(dataset: Record<string, unknown>): ArrayBuffer | Buffer;
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: { untilTag?: string; includeUntilTagValue?: boolean; ignoreErrors?: boolean }): DicomDict;
      };
    };
  };
  export default dcmjs;
}
