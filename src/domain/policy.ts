import { ForbiddenError, NotAuthenticatedError } from './errors.js';

import type { Role } from '../db/schema-values.js';

export { ROLES, type Role } from '../db/schema-values.js';

/** Who is acting: resolved from a session or an API token by the identity service. */
export interface Actor {
  readonly id: string;
  readonly username: string;
  readonly role: Role;
}

/**
 * The facts about a record that ownership rules need. Services load them and pass them in; the
 * policy itself never touches the database.
 */
export interface Resource {
  /** the user the record is about or belongs to (a user account, a patient) */
  userId?: string;
  doctorId?: string;
  patientId?: string;
  /** the doctors whose panel holds the patient */
  panelDoctorIds?: readonly string[];
  /** role of the other party (messages) */
  counterpartRole?: Role;
  /** appointments: whether it has already started */
  hasStarted?: boolean;
}

export type Action =
  | 'users.manage'
  | 'users.read'
  | 'users.passwd'
  | 'tokens.manageOthers'
  | 'settings.read'
  | 'settings.update'
  | 'audit.read'
  | 'doctors.read'
  | 'doctors.manage'
  | 'doctors.schedule'
  | 'patients.manage'
  | 'patients.read'
  | 'appointments.book'
  | 'appointments.read'
  | 'appointments.decide'
  | 'appointments.change'
  | 'appointments.attend'
  | 'appointments.import'
  | 'appointments.export'
  | 'appointments.calendar'
  | 'appointments.agenda'
  | 'appointments.remind'
  | 'appointments.sweep'
  | 'messages.send'
  | 'messages.read';

const isClinicStaff = (actor: Actor) => actor.role === 'admin' || actor.role === 'staff';
const onPanel = (actor: Actor, r: Resource) => r.panelDoctorIds?.includes(actor.id) ?? false;

/** DESIGN §6, as one table of rules. */
const rules: Record<Action, (actor: Actor, r: Resource) => boolean> = {
  'users.manage': (a) => a.role === 'admin',
  // one's own account: see it, change its password
  'users.read': (a, r) => a.role === 'admin' || r.userId === a.id,
  'users.passwd': (a, r) => a.role === 'admin' || r.userId === a.id,
  'tokens.manageOthers': (a) => a.role === 'admin',
  'settings.read': () => true,
  'settings.update': (a) => a.role === 'admin',
  'audit.read': (a) => a.role === 'admin',
  'doctors.read': () => true,
  'doctors.manage': isClinicStaff,
  'doctors.schedule': (a, r) => isClinicStaff(a) || (a.role === 'doctor' && r.doctorId === a.id),
  'patients.manage': isClinicStaff,
  'patients.read': (a, r) => isClinicStaff(a) || (a.role === 'doctor' && onPanel(a, r)) || (a.role === 'patient' && r.patientId === a.id),
  'appointments.book': (a, r) =>
    isClinicStaff(a) || (a.role === 'doctor' && r.doctorId === a.id && onPanel(a, r)) || (a.role === 'patient' && r.patientId === a.id),
  'appointments.read': (a, r) => isClinicStaff(a) || (a.role === 'doctor' && r.doctorId === a.id) || (a.role === 'patient' && r.patientId === a.id),
  'appointments.decide': (a, r) => isClinicStaff(a) || (a.role === 'doctor' && r.doctorId === a.id),
  'appointments.change': (a, r) =>
    isClinicStaff(a) || (a.role === 'doctor' && r.doctorId === a.id) || (a.role === 'patient' && r.patientId === a.id && r.hasStarted === false),
  'appointments.attend': (a, r) => isClinicStaff(a) || (a.role === 'doctor' && r.doctorId === a.id),
  'appointments.import': isClinicStaff,
  'appointments.export': isClinicStaff,
  // Anyone may export a calendar of the appointments they see (appointmentScope narrows it).
  'appointments.calendar': () => true,
  // The day sheet: staff see every doctor's column, a doctor their own; patients have none.
  'appointments.agenda': (a, r) => isClinicStaff(a) || (a.role === 'doctor' && (r.doctorId === undefined || r.doctorId === a.id)),
  // Jobs the front desk runs (usually from cron, with a staff member's API token).
  'appointments.remind': isClinicStaff,
  'appointments.sweep': isClinicStaff,
  // A doctor writes to their own patients, staff and admin; a patient to their own doctors and staff.
  'messages.send': (a, r) => {
    if (isClinicStaff(a)) return true;
    if (a.role === 'doctor') {
      return r.counterpartRole === 'staff' || r.counterpartRole === 'admin' || (r.counterpartRole === 'patient' && onPanel(a, r));
    }
    return r.counterpartRole === 'staff' || (r.counterpartRole === 'doctor' && r.doctorId !== undefined && (r.panelDoctorIds?.includes(r.doctorId) ?? false));
  },
  'messages.read': (a, r) => r.userId === a.id,
};

export function can(actor: Actor, action: Action, resource: Resource = {}): boolean {
  return rules[action](actor, resource);
}

/** Whether the actor may know that this patient exists (their own panel, themselves; staff: all). */
export function canSeePatient(actor: Actor, patient: { patientId: string; panelDoctorIds: readonly string[] }): boolean {
  return can(actor, 'patients.read', patient);
}

/** Staff, doctors and admins are known to everyone; whether a patient exists is for canSeePatient to say. */
export function isPublicAccount(user: { role: Role }): boolean {
  return user.role !== 'patient';
}

/** Whether the actor may see this appointment at all (DESIGN §6: all, own or own). */
export function canSeeAppointment(actor: Actor, appointment: { doctorId: string; patientId: string }): boolean {
  return can(actor, 'appointments.read', appointment);
}

/** The appointments the actor may see, as a filter (DESIGN §6: staff all, a doctor and a patient their own). */
export function appointmentScope(actor: Actor): { doctorId?: string; patientId?: string } {
  if (actor.role === 'doctor') return { doctorId: actor.id };
  if (actor.role === 'patient') return { patientId: actor.id };
  return {};
}

/** The patients the actor may list, as a filter: staff all, a doctor their panel, a patient themself. */
export function patientScope(actor: Actor): { doctorId?: string; patientId?: string } {
  return appointmentScope(actor);
}

/** Whose API tokens the actor sees: an admin everybody's, anyone else their own. */
export function apiTokenScope(actor: Actor): { userId?: string } {
  return actor.role === 'admin' ? {} : { userId: actor.id };
}

/** The messages the actor may read: those they sent or received, whatever their role. */
export function messageScope(actor: Actor): { participantId: string } {
  return { participantId: actor.id };
}

/** Only staff and admins choose to book APPROVED at once (--approve). */
export function mayApproveWhileBooking(actor: Actor): boolean {
  return isClinicStaff(actor);
}

/** DESIGN §6: a doctor's booking is APPROVED, a patient's waits (PENDING), staff choose with --approve. */
export function initialBookingStatus(actor: Actor, approve: boolean | undefined): 'APPROVED' | 'PENDING' {
  if (actor.role === 'doctor') return 'APPROVED';
  if (actor.role === 'patient') return 'PENDING';
  return approve ? 'APPROVED' : 'PENDING';
}

/** A patient's reschedule waits for approval again; anyone else's keeps the status it had. */
export function rescheduledStatus<S extends string>(actor: Actor, previous: S): S | 'PENDING' {
  return actor.role === 'patient' ? 'PENDING' : previous;
}

/** Whether the remedy for a taken slot also suggests --next-available (patients are pointed at `slots` only). */
export function offersNextAvailable(actor: Actor): boolean {
  return actor.role !== 'patient';
}

/** Whether the rule refuses the actor only because the appointment has already started. */
export function refusedOnlyForHavingStarted(actor: Actor, action: Action, resource: Resource): boolean {
  return resource.hasStarted === true && !can(actor, action, resource) && can(actor, action, { ...resource, hasStarted: false });
}

/**
 * The doctor and the patient of a conversation between two users, where there are: the facts
 * that message rules and the audit rows (filed under the patient) need.
 */
export function conversationParties(one: { id: string; role: Role }, other: { id: string; role: Role }): { doctorId?: string; patientId?: string } {
  const doctor = [other, one].find((party) => party.role === 'doctor');
  const patient = [one, other].find((party) => party.role === 'patient');
  return { ...(doctor ? { doctorId: doctor.id } : {}), ...(patient ? { patientId: patient.id } : {}) };
}

export type HideableKind = 'patient' | 'appointment' | 'message' | 'api_token';

/**
 * Whether records of this kind can exist without the actor being allowed to see them. For such
 * actors "does not exist" and "may not see" must look the same (exit 6, one message, one audit
 * row); for the others, a record they cannot find does not exist. Messages are private to their
 * two parties, admins included; API tokens are their owner's and the admins'.
 */
export function mayBeHidden(actor: Actor, kind: HideableKind): boolean {
  if (kind === 'message') return true;
  if (kind === 'api_token') return actor.role !== 'admin';
  return !isClinicStaff(actor);
}

export function requireActor(actor: Actor | null): Actor {
  if (!actor) throw new NotAuthenticatedError('Not logged in.', { remedy: 'Run `clinic login`.' });
  return actor;
}

/** Throws ForbiddenError when the rule says no. Use `authorize` (audit.ts) to also record the denial. */
export function assertCan(actor: Actor, action: Action, resource: Resource = {}): void {
  if (!can(actor, action, resource)) {
    throw new ForbiddenError(`Your role (${actor.role}) does not allow ${describeAction(action)}.`, {
      details: { action },
    });
  }
}

function describeAction(action: Action): string {
  const [noun, verb] = action.split('.') as [string, string];
  return `${verb.replace(/([A-Z])/g, ' $1').toLowerCase()} on ${noun} here`;
}
