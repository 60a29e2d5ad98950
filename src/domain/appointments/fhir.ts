import type { PersonDetailsRow } from '../../db/repositories/users.js';
import type { AppointmentStatus } from '../../db/schema-values.js';
import type { ExportedAppointment } from './export.js';

/** FHIR R4 resources for `appointments export --format fhir`: a Bundle of type "collection". */

const USERNAME_SYSTEM = 'urn:clinic:username';
/** README "FHIR": the appointment this one replaced (a reschedule), as a reference to its bundle entry. */
export const RESCHEDULED_FROM_EXTENSION = 'urn:clinic:extension:rescheduled-from';

export interface FhirOptions {
  /** `settings set fhir-identifier-system URL`: the system of outside ids (externalId, idempotency keys) */
  identifierSystem: string;
}

const fullUrl = (id: string) => `urn:uuid:${id}`;

/** DESIGN §6. */
const FHIR_STATUS: Record<AppointmentStatus, string> = {
  PENDING: 'pending',
  APPROVED: 'booked',
  REJECTED: 'cancelled',
  CANCELLED: 'cancelled',
  CHECKED_IN: 'checked-in',
  COMPLETED: 'fulfilled',
  NO_SHOW: 'noshow',
};

/** The Bundle up to its entries; `entry` opens with the first one, so an empty export has none. */
export function bundleOpening(timestamp: Date): string {
  return `{"resourceType":"Bundle","type":"collection","timestamp":${JSON.stringify(timestamp.toISOString())}`;
}

export const ENTRIES_OPENING = ',"entry":[';

export function bundleClosing(entries: number): string {
  return entries === 0 ? '}' : '\n]}';
}

/** The bundle entries for one exported appointment: its patient and doctor the first time they appear, then the appointment. */
export function fhirEntries(item: ExportedAppointment, options: FhirOptions): object[] {
  const entries: object[] = [];
  if (item.newPatient) entries.push({ fullUrl: fullUrl(item.newPatient.id), resource: fhirPatient(item.newPatient) });
  if (item.newDoctor) entries.push({ fullUrl: fullUrl(item.newDoctor.id), resource: fhirPractitioner(item.newDoctor) });
  entries.push({ fullUrl: fullUrl(item.view.id), resource: fhirAppointment(item, options) });
  return entries;
}

/** The participants' answer: asked while PENDING, declined when rejected (or cancelled), accepted once approved. */
function participantStatus(status: AppointmentStatus): string {
  if (status === 'PENDING') return 'needs-action';
  if (status === 'REJECTED' || status === 'CANCELLED') return 'declined';
  return 'accepted';
}

function fhirPatient(person: PersonDetailsRow): object {
  return {
    resourceType: 'Patient',
    id: person.id,
    identifier: [{ system: USERNAME_SYSTEM, value: person.username }],
    name: [{ text: person.full_name }],
    ...(person.date_of_birth ? { birthDate: person.date_of_birth } : {}),
    ...telecom(person),
  };
}

function fhirPractitioner(person: PersonDetailsRow): object {
  return {
    resourceType: 'Practitioner',
    id: person.id,
    identifier: [
      { system: USERNAME_SYSTEM, value: person.username },
      ...(person.license_number ? [{ system: 'urn:clinic:license', value: person.license_number }] : []),
    ],
    name: [{ text: person.full_name }],
    ...telecom(person),
    ...(person.specialty ? { qualification: [{ code: { text: person.specialty } }] } : {}),
  };
}

function telecom(person: PersonDetailsRow): object {
  const points = [...(person.phone ? [{ system: 'phone', value: person.phone }] : []), ...(person.email ? [{ system: 'email', value: person.email }] : [])];
  return points.length > 0 ? { telecom: points } : {};
}

function fhirAppointment({ view, outsideId }: ExportedAppointment, options: FhirOptions): object {
  const cancelation =
    view.status === 'REJECTED' ? (view.cancelReason ?? 'doctor declined') : view.status === 'CANCELLED' ? (view.cancelReason ?? 'cancelled') : undefined;
  const status = participantStatus(view.status);
  return {
    resourceType: 'Appointment',
    id: view.id,
    ...(view.rescheduledFromId ? { extension: [{ url: RESCHEDULED_FROM_EXTENSION, valueReference: { reference: fullUrl(view.rescheduledFromId) } }] } : {}),
    ...(outsideId ? { identifier: [{ system: options.identifierSystem, value: outsideId }] } : {}),
    status: FHIR_STATUS[view.status],
    ...(cancelation ? { cancelationReason: { text: cancelation } } : {}),
    ...(view.reason ? { description: view.reason } : {}),
    start: view.startsAt,
    end: view.endsAt,
    minutesDuration: Math.round((Date.parse(view.endsAt) - Date.parse(view.startsAt)) / 60_000),
    created: view.createdAt,
    participant: [
      { actor: { reference: fullUrl(view.patientId), type: 'Patient', display: view.patient }, required: 'required', status },
      { actor: { reference: fullUrl(view.doctorId), type: 'Practitioner', display: view.doctor }, required: 'required', status },
    ],
  };
}
