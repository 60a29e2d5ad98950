import type { PersonDetailsRow } from '../../db/repositories/users.js';
import type { AppointmentStatus } from '../../db/schema-values.js';
import type { ExportedAppointment } from './export.js';

/** FHIR R4 resources for `appointments export --format fhir`: a Bundle of type "collection". */

const USERNAME_SYSTEM = 'urn:clinic:username';
const EXTERNAL_ID_SYSTEM = 'urn:clinic:appointment';

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

export function bundleOpening(timestamp: Date): string {
  return `{"resourceType":"Bundle","type":"collection","timestamp":${JSON.stringify(timestamp.toISOString())},"entry":[`;
}

export const BUNDLE_CLOSING = ']}';

/** The bundle entries for one exported appointment: its patient and doctor the first time they appear, then the appointment. */
export function fhirEntries(item: ExportedAppointment): object[] {
  const entries: object[] = [];
  if (item.newPatient) entries.push({ resource: fhirPatient(item.newPatient) });
  if (item.newDoctor) entries.push({ resource: fhirPractitioner(item.newDoctor) });
  entries.push({ resource: fhirAppointment(item) });
  return entries;
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
  const points = [
    ...(person.phone ? [{ system: 'phone', value: person.phone }] : []),
    ...(person.email ? [{ system: 'email', value: person.email }] : []),
  ];
  return points.length > 0 ? { telecom: points } : {};
}

function fhirAppointment({ view, fields }: ExportedAppointment): object {
  const cancelation =
    view.status === 'REJECTED' ? 'doctor declined' : view.status === 'CANCELLED' ? (view.cancelReason ?? 'cancelled') : undefined;
  const participantStatus = view.status === 'REJECTED' || view.status === 'CANCELLED' ? 'declined' : 'accepted';
  return {
    resourceType: 'Appointment',
    id: view.id,
    identifier: [{ system: EXTERNAL_ID_SYSTEM, value: String(fields.externalId) }],
    status: FHIR_STATUS[view.status],
    ...(cancelation ? { cancelationReason: { text: cancelation } } : {}),
    ...(view.reason ? { description: view.reason } : {}),
    start: view.startsAt,
    end: view.endsAt,
    minutesDuration: fields.durationMinutes,
    created: view.createdAt,
    participant: [
      { actor: { reference: `Patient/${view.patientId}`, display: view.patient }, required: 'required', status: participantStatus },
      { actor: { reference: `Practitioner/${view.doctorId}`, display: view.doctor }, required: 'required', status: participantStatus },
    ],
  };
}
