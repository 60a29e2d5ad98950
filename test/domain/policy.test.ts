import { describe, expect, it } from 'vitest';
import {
  ROLES,
  apiTokenScope,
  appointmentScope,
  can,
  canSeeAppointment,
  canSeePatient,
  conversationParties,
  initialBookingStatus,
  isPublicAccount,
  mayApproveWhileBooking,
  messageScope,
  offersNextAvailable,
  patientScope,
  refusedOnlyForHavingStarted,
  rescheduledStatus,
  type Actor,
  type Role,
} from '../../src/domain/policy.js';

/** The named rules of policy.ts that scope queries and shape bookings (DESIGN §6), checked role by role. */
const actor = (role: Role): Actor => ({ id: `${role}-id`, username: role, role });
const OTHER = 'someone-else';

describe('visibility scopes', () => {
  it('appointmentScope: staff see all, a doctor and a patient their own', () => {
    expect(appointmentScope(actor('admin'))).toEqual({});
    expect(appointmentScope(actor('staff'))).toEqual({});
    expect(appointmentScope(actor('doctor'))).toEqual({ doctorId: 'doctor-id' });
    expect(appointmentScope(actor('patient'))).toEqual({ patientId: 'patient-id' });
  });

  it('appointmentScope selects exactly the appointments canSeeAppointment allows', () => {
    for (const role of ROLES) {
      const me = actor(role);
      const scope = appointmentScope(me);
      for (const doctorId of [me.id, OTHER]) {
        for (const patientId of [me.id, OTHER]) {
          const inScope = (scope.doctorId === undefined || scope.doctorId === doctorId) && (scope.patientId === undefined || scope.patientId === patientId);
          expect(inScope, `${role} ${doctorId} ${patientId}`).toBe(canSeeAppointment(me, { doctorId, patientId }));
        }
      }
    }
  });

  it('patientScope lists exactly the patients canSeePatient allows', () => {
    expect(patientScope(actor('staff'))).toEqual({});
    for (const role of ROLES) {
      const me = actor(role);
      const scope = patientScope(me);
      for (const patientId of [me.id, OTHER]) {
        for (const panelDoctorIds of [[], [me.id], [OTHER]]) {
          const inScope =
            (scope.doctorId === undefined || panelDoctorIds.includes(scope.doctorId)) && (scope.patientId === undefined || scope.patientId === patientId);
          expect(inScope, `${role} ${patientId} ${panelDoctorIds.join()}`).toBe(canSeePatient(me, { patientId, panelDoctorIds }));
        }
      }
    }
  });

  it("apiTokenScope: an admin sees everybody's tokens, anyone else their own", () => {
    expect(apiTokenScope(actor('admin'))).toEqual({});
    for (const role of ['staff', 'doctor', 'patient'] as const) expect(apiTokenScope(actor(role))).toEqual({ userId: `${role}-id` });
  });

  it('isPublicAccount: every account but a patient is known to everyone', () => {
    expect(ROLES.filter((role) => isPublicAccount({ role }))).toEqual(['admin', 'staff', 'doctor']);
  });

  it('messageScope: only what one sent or received, admins included', () => {
    for (const role of ROLES) expect(messageScope(actor(role))).toEqual({ participantId: `${role}-id` });
  });
});

describe('booking', () => {
  it('initialBookingStatus: doctor APPROVED, patient PENDING, staff PENDING unless --approve', () => {
    expect(initialBookingStatus(actor('doctor'), undefined)).toBe('APPROVED');
    expect(initialBookingStatus(actor('doctor'), false)).toBe('APPROVED');
    expect(initialBookingStatus(actor('patient'), true)).toBe('PENDING');
    for (const role of ['admin', 'staff'] as const) {
      expect(initialBookingStatus(actor(role), undefined)).toBe('PENDING');
      expect(initialBookingStatus(actor(role), true)).toBe('APPROVED');
    }
  });

  it('mayApproveWhileBooking: staff and admins only', () => {
    expect(ROLES.filter((role) => mayApproveWhileBooking(actor(role)))).toEqual(['admin', 'staff']);
  });

  it("rescheduledStatus: a patient's reschedule waits again, anyone else's keeps its status", () => {
    expect(rescheduledStatus(actor('patient'), 'APPROVED')).toBe('PENDING');
    for (const role of ['admin', 'staff', 'doctor'] as const) expect(rescheduledStatus(actor(role), 'APPROVED')).toBe('APPROVED');
  });

  it('offersNextAvailable: everyone but patients', () => {
    expect(ROLES.filter((role) => offersNextAvailable(actor(role)))).toEqual(['admin', 'staff', 'doctor']);
  });

  it('refusedOnlyForHavingStarted: a patient changing their own started appointment, nothing else', () => {
    const patient = actor('patient');
    const own = { doctorId: OTHER, patientId: patient.id };
    expect(refusedOnlyForHavingStarted(patient, 'appointments.change', { ...own, hasStarted: true })).toBe(true);
    expect(refusedOnlyForHavingStarted(patient, 'appointments.change', { ...own, hasStarted: false })).toBe(false);
    expect(refusedOnlyForHavingStarted(patient, 'appointments.change', { doctorId: OTHER, patientId: OTHER, hasStarted: true })).toBe(false);
    expect(refusedOnlyForHavingStarted(patient, 'appointments.decide', { ...own, hasStarted: true })).toBe(false);
    const doctor = actor('doctor');
    expect(can(doctor, 'appointments.change', { doctorId: doctor.id, patientId: OTHER, hasStarted: true })).toBe(true);
    expect(refusedOnlyForHavingStarted(doctor, 'appointments.change', { doctorId: doctor.id, patientId: OTHER, hasStarted: true })).toBe(false);
  });
});

describe('conversationParties', () => {
  const user = (id: string, role: Role) => ({ id, role });
  it('names the doctor and the patient of a conversation, whoever writes first', () => {
    expect(conversationParties(user('d', 'doctor'), user('p', 'patient'))).toEqual({ doctorId: 'd', patientId: 'p' });
    expect(conversationParties(user('p', 'patient'), user('d', 'doctor'))).toEqual({ doctorId: 'd', patientId: 'p' });
    expect(conversationParties(user('s', 'staff'), user('a', 'admin'))).toEqual({});
    expect(conversationParties(user('s', 'staff'), user('p', 'patient'))).toEqual({ patientId: 'p' });
  });

  it('between two doctors the receiver is the doctor; between two patients the sender is the patient', () => {
    expect(conversationParties(user('d1', 'doctor'), user('d2', 'doctor'))).toEqual({ doctorId: 'd2' });
    expect(conversationParties(user('p1', 'patient'), user('p2', 'patient'))).toEqual({ patientId: 'p1' });
  });
});
