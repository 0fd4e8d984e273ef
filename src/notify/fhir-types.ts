/**
 * The few FHIR R4 data types and resources the hub writes (fhir-report.ts, fhir-communication.ts),
 * as their JSON form: only the elements the hub fills, each optional one left out rather than
 * empty, since FHIR forbids empty strings, arrays and objects. Types only.
 */

export interface FhirCoding {
  system?: string;
  code?: string;
  display?: string;
}

export interface FhirCodeableConcept {
  coding?: FhirCoding[];
  text?: string;
}

export interface FhirIdentifier {
  type?: FhirCodeableConcept;
  system?: string;
  value?: string;
}

/** A literal reference (`Type/id`), a logical one (type and identifier) or a display-only one. */
export interface FhirReference {
  reference?: string;
  type?: string;
  identifier?: FhirIdentifier;
  display?: string;
}

export interface FhirQuantity {
  value: number;
  unit?: string;
  system?: string;
  code?: string;
}

export interface FhirObservationComponent {
  code: FhirCodeableConcept;
  valueCodeableConcept?: FhirCodeableConcept;
  valueQuantity?: FhirQuantity;
}

/** What an Observation and a DiagnosticReport of the hub both say: status, category, code, the patient, when. */
interface FhirImagingResult {
  id: string;
  status: 'preliminary' | 'final' | 'amended';
  category: FhirCodeableConcept[];
  code: FhirCodeableConcept;
  subject?: FhirReference;
  effectiveDateTime?: string;
  issued: string;
}

export interface FhirObservation extends FhirImagingResult {
  resourceType: 'Observation';
  valueCodeableConcept: FhirCodeableConcept;
  bodySite?: FhirCodeableConcept;
  method: FhirCodeableConcept;
  device: FhirReference;
  derivedFrom?: FhirReference[];
  component?: FhirObservationComponent[];
}

export interface FhirDiagnosticReport extends FhirImagingResult {
  resourceType: 'DiagnosticReport';
  identifier?: FhirIdentifier[];
  result: FhirReference[];
  imagingStudy?: FhirReference[];
  conclusion: string;
}

export interface FhirCommunication {
  resourceType: 'Communication';
  id: string;
  identifier: FhirIdentifier[];
  status: 'in-progress' | 'completed';
  category: FhirCodeableConcept[];
  priority: 'routine' | 'urgent' | 'asap' | 'stat';
  subject?: FhirReference;
  about?: FhirReference[];
  sent: string;
  recipient: FhirReference[];
  payload: Array<{ contentString: string }>;
}

export type FhirResource = FhirObservation | FhirDiagnosticReport | FhirCommunication;

/** A transaction entry: the resource and the conditional-free request that stores it. */
export interface FhirBundleEntry {
  resource: FhirResource;
  request: { method: 'PUT'; url: string };
}

export interface FhirBundle {
  resourceType: 'Bundle';
  id: string;
  type: 'transaction';
  /** When the bundle was assembled (instant). */
  timestamp: string;
  entry: FhirBundleEntry[];
}
