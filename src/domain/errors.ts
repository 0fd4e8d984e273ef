/**
 * The one catalogue of error codes. Each code maps to the DIMSE status a C-STORE SCP answers,
 * the failure reason a STOW-RS response carries for the instance, and the HTTP status of a request
 * that fails as a whole. docs/errors.md describes each code for operators.
 */
export const errorCatalogue = {
  DICOM_NOT_PART10: { dimseStatus: 0xc000, httpStatus: 400, summary: 'not a DICOM Part 10 object (no DICM prefix or file meta header)' },
  DICOM_MALFORMED: { dimseStatus: 0xc000, httpStatus: 400, summary: 'the object cannot be parsed' },
  DICOM_TRUNCATED: { dimseStatus: 0xc000, httpStatus: 400, summary: 'the object ends inside an element or an open sequence' },
  DICOM_LENGTH_INCONSISTENT: { dimseStatus: 0xc000, httpStatus: 400, summary: 'an element length runs past its enclosing item or sequence' },
  DICOM_LIMIT_EXCEEDED: { dimseStatus: 0xc000, httpStatus: 400, summary: 'the object exceeds a configured hard limit' },
  DICOM_MISSING_ATTRIBUTE: { dimseStatus: 0xc000, httpStatus: 400, summary: 'a required attribute is missing' },
  SOP_INSTANCE_MISMATCH: { dimseStatus: 0xa900, httpStatus: 400, summary: 'the SOP Class/Instance UID of the data set differs from the command or meta header' },
  SOP_CLASS_NOT_SUPPORTED: { dimseStatus: 0x0122, httpStatus: 400, summary: 'the SOP class is not a storage SOP class' },
  TRANSFER_SYNTAX_NOT_SUPPORTED: { dimseStatus: 0xc122, httpStatus: 400, summary: 'the transfer syntax is not supported' },
  STUDY_MISMATCH: { dimseStatus: 0xa900, httpStatus: 409, summary: 'the instance does not belong to the study named in the request' },
  DUPLICATE_CONFLICT: { dimseStatus: 0x0111, httpStatus: 409, summary: 'an instance with this SOP Instance UID and different content is already stored (policy keep-first)' },
  OBJECT_TOO_LARGE: { dimseStatus: 0xa700, httpStatus: 413, summary: 'the object exceeds the configured maximum size' },
  STORAGE_FULL: { dimseStatus: 0xa700, httpStatus: 507, summary: 'free disk space is below the configured watermark' },
  PROCESSING_FAILURE: { dimseStatus: 0x0110, httpStatus: 500, summary: 'the object could not be stored' },
  SERIES_NOT_A_VOLUME: { dimseStatus: 0xc000, httpStatus: 422, summary: 'the slices of the series do not form one volume' },
  BAD_REQUEST: { dimseStatus: 0xc000, httpStatus: 400, summary: 'the request is malformed' },
  UNSUPPORTED_MEDIA_TYPE: { dimseStatus: 0xc000, httpStatus: 415, summary: 'the request media type is not supported' },
  NOT_ACCEPTABLE: { dimseStatus: 0xc000, httpStatus: 406, summary: 'no acceptable representation can be returned' },
  NOT_FOUND: { dimseStatus: 0xc000, httpStatus: 404, summary: 'nothing matches' },
  UPSTREAM_FAILURE: { dimseStatus: 0x0110, httpStatus: 502, summary: 'a remote DICOM peer failed' },
  JOB_NOT_DEAD_LETTERED: { dimseStatus: 0xc000, httpStatus: 409, summary: 'only a dead-lettered job (status failed) can be retried' },
  PULL_NOT_CONFIGURED: { dimseStatus: 0xc000, httpStatus: 503, summary: 'pull mode is off: no pull.dicomwebUrl is configured' },
  RULES_INVALID: { dimseStatus: 0xc000, httpStatus: 400, summary: 'the routing rules document does not validate; every problem is listed with its path' },
  MODEL_MANIFEST_INVALID: { dimseStatus: 0xc000, httpStatus: 400, summary: 'a model manifest does not validate; every problem is listed with its path' },
  REASON_REQUIRED: { dimseStatus: 0xc000, httpStatus: 400, summary: 'a configuration change needs a reason' },
  ANALYZER_VERSION_CONFLICT: { dimseStatus: 0xc000, httpStatus: 409, summary: 'an analyzer version is registered already with another model or description' },
  ANALYZER_UNLOADABLE: { dimseStatus: 0xc000, httpStatus: 422, summary: 'the analyzer module cannot be loaded or does not describe itself' },
  RESULT_DOCUMENT_INVALID: { dimseStatus: 0xc000, httpStatus: 422, summary: 'a result object cannot be written from the result: a finding refers to an unknown image, a unit is not UCUM, a mask does not fit the geometry of its source images' },
  NOT_A_STRUCTURED_REPORT: { dimseStatus: 0xc000, httpStatus: 422, summary: 'the instance is not an SR document' },
  HL7_MALFORMED: { dimseStatus: 0xc000, httpStatus: 400, summary: 'an HL7 v2 message cannot be parsed or built' },
  HL7_FRAME_TOO_LARGE: { dimseStatus: 0xc000, httpStatus: 413, summary: 'an MLLP frame exceeds the configured maximum size' },
  ALERT_TOKEN_INVALID: { dimseStatus: 0xc000, httpStatus: 403, summary: 'an alert acknowledgement carries a token the hub did not give for that alert' },
  DEIDENTIFICATION_REFUSED: { dimseStatus: 0xc000, httpStatus: 422, summary: 'the object cannot be de-identified safely for a remote analyzer (burned-in text that cannot be cleaned)' },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export class RadbridgeError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Every problem found, when there are several (e.g. each invalid rule, with its path). */
    readonly issues: readonly string[] = [],
  ) {
    super(message);
    this.name = 'RadbridgeError';
  }

  get dimseStatus(): number {
    return errorCatalogue[this.code].dimseStatus;
  }

  get httpStatus(): number {
    return errorCatalogue[this.code].httpStatus;
  }
}

export function asRadbridgeError(err: unknown): RadbridgeError {
  if (err instanceof RadbridgeError) return err;
  return new RadbridgeError('PROCESSING_FAILURE', err instanceof Error ? err.message : String(err));
}
