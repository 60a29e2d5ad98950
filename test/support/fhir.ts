/**
 * The parts of an exported FHIR resource that tests read. Loose on purpose: the tests assert the
 * shape; a real validator (test/bulk/fhir-validation.test.ts) checks it against FHIR R4.
 */
export interface FhirResource {
  resourceType: string;
  id: string;
  identifier: Array<{ system?: string; value: string }>;
  participant: Array<{ actor: { reference: string }; status: string }>;
  start: string;
  end: string;
  minutesDuration: number;
  status: string;
  [field: string]: unknown;
}

export interface FhirBundle {
  resourceType: string;
  type: string;
  timestamp: string;
  entry: Array<{ fullUrl: string; resource: FhirResource }>;
}
