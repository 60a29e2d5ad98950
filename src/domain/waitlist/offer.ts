import type { Knex } from 'knex';
import { DateTime } from 'luxon';
import type { AppointmentRow } from '../../db/repositories/appointments.js';
import { findDoctorByRef } from '../../db/repositories/doctors.js';
import { insertMessage } from '../../db/repositories/messages.js';
import { findPatientByRef } from '../../db/repositories/patients.js';
import { fulfilWaitlistEntry, lockNextMatchingEntry, type FreedSlot } from '../../db/repositories/waitlist.js';
import { ACTIVE_STATUSES } from '../../db/schema-values.js';
import { recordAudit } from '../audit/record.js';
import { clinicDate, clinicTime } from '../clinic-time.js';
import { isClinicError } from '../errors.js';
import { bookSlot, inSavepoint } from '../appointments/booking.js';
import { characterCount } from '../messages/body.js';
import type { SlotRequest } from '../appointments/schedule.js';

/** How many waiting patients a freed slot is tried for before it is left free. */
const MAX_TRIED = 20;

/**
 * A slot was freed (`freed` is the appointment as it was, still active): offer it to the
 * waitlist in the caller's transaction. The earliest matching entry gets a PENDING appointment in
 * that slot through every booking rule (bookSlot), its patient a message from the doctor, and the
 * entry becomes FULFILLED. An entry whose patient is busy then (or for whom any rule fails) is
 * passed over for the next one, in a savepoint so the freeing itself stands. Returns the new
 * appointment's id, if any.
 *
 * The booking is the clinic's own, not the act of whoever freed the slot: it is made and audited
 * with no actor (the audit rows name the entry and the freed appointment), and nothing of the
 * waiting patient reaches the one who freed it, not even in a passed-over entry's error.
 */
export async function offerFreedSlot(trx: Knex.Transaction, freed: AppointmentRow, zone: string, now: Date): Promise<string | undefined> {
  if (!(ACTIVE_STATUSES as readonly string[]).includes(freed.status) || freed.starts_at.getTime() <= now.getTime()) return undefined;
  const doctor = await findDoctorByRef(trx, freed.doctor_id);
  if (!doctor || doctor.status !== 'active') return undefined;
  const start = DateTime.fromJSDate(freed.starts_at, { zone });
  const endTime = clinicTime(freed.ends_at, zone);
  const slot: FreedSlot = {
    doctorId: freed.doctor_id,
    exceptPatientId: freed.patient_id,
    date: clinicDate(freed.starts_at, zone),
    weekday: start.weekday,
    startTime: clinicTime(freed.starts_at, zone),
    endTime: endTime === '00:00' && clinicDate(freed.ends_at, zone) !== clinicDate(freed.starts_at, zone) ? '24:00' : endTime,
  };
  const durationMinutes = Math.round((freed.ends_at.getTime() - freed.starts_at.getTime()) / 60_000);
  const tried: string[] = [];
  while (tried.length < MAX_TRIED) {
    const entry = await lockNextMatchingEntry(trx, slot, tried);
    if (!entry) return undefined;
    tried.push(entry.id);
    const patient = await findPatientByRef(trx, entry.patient_id);
    if (!patient) continue;
    const request: SlotRequest = { doctor, patientId: patient.id, patientUsername: patient.username, start, durationMinutes, zone, now };
    let appointmentId: string;
    try {
      appointmentId = await inSavepoint(trx, null, request, async (savepoint) => {
        const created = await bookSlot(
          savepoint,
          null,
          request,
          { reason: 'offered from the waitlist', status: 'PENDING' },
          { via: 'waitlist', waitlistEntryId: entry.id, freedAppointmentId: freed.id },
        );
        if (!(await fulfilWaitlistEntry(savepoint, entry.id, created.id))) throw new Error('waitlist entry changed while locked');
        return created.id;
      });
    } catch (error) {
      if (isClinicError(error)) continue; // this patient cannot take it (busy, a rule): the next one may
      throw error;
    }
    const content = `A slot with ${doctor.username} is free on ${slot.date} at ${slot.startTime}-${slot.endTime} (${zone}) and is booked for you from the waitlist, pending confirmation. Appointment ${appointmentId.slice(0, 8)}: cancel it if you cannot come.`;
    const messageId = await insertMessage(trx, { sender_id: doctor.id, receiver_id: patient.id, content, created_at: now });
    await recordAudit(trx, null, {
      action: 'waitlist.fulfil',
      entity: 'waitlist',
      entityId: entry.id,
      patientId: patient.id,
      details: { appointmentId, freedAppointmentId: freed.id, messageId, length: characterCount(content) },
    });
    return appointmentId;
  }
  return undefined;
}
