declare module 'dcmjs' {
  interface DicomJsonElement {
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
      };
      datasetToBuffer(dataset: Record<string, unknown>): ArrayBuffer | Buffer;
      DicomMessage: {
        readFile(buffer: ArrayBuffer, options?: { untilTag?: string; includeUntilTagValue?: boolean; ignoreErrors?: boolean }): DicomDict;
      };
    };
  };
  export default dcmjs;
}
