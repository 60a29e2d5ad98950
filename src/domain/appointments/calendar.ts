import type { Knex } from 'knex';
import { replacedAppointmentIds, rescheduleOrigins } from '../../db/repositories/appointments.js';
import type { ExportedAppointment } from './export.js';
import { CALENDAR_CLOSING, calendarOpening, icsEvent, type CalendarAudience } from './ics.js';

const BATCH = 500;

/**
 * `appointments export --format ics`: one VEVENT per appointment, except those a reschedule
 * replaced: the successor carries the same UID (the chain's first appointment) with a higher
 * SEQUENCE, so a calendar program moves the event instead of showing two.
 */
export async function* calendarChunks(
  db: Knex,
  appointments: AsyncIterable<ExportedAppointment>,
  audience: CalendarAudience,
  stamp: Date,
): AsyncGenerator<string> {
  yield calendarOpening('Clinic appointments');
  const names = new Map<string, string>();
  let batch: ExportedAppointment[] = [];
  const flush = async function* () {
    const ids = batch.map((item) => item.view.id);
    const [origins, replaced] = await Promise.all([rescheduleOrigins(db, ids), replacedAppointmentIds(db, ids)]);
    for (const { view } of batch) {
      if (replaced.has(view.id)) continue;
      const origin = origins.get(view.id) ?? { rootId: view.id, moves: 0 };
      const event = { view, patientName: names.get(view.patientId) ?? view.patient, doctorName: names.get(view.doctorId) ?? view.doctor, ...origin };
      yield icsEvent(event, audience, stamp);
    }
    batch = [];
  };
  for await (const item of appointments) {
    for (const person of [item.newPatient, item.newDoctor]) if (person) names.set(person.id, person.full_name);
    batch.push(item);
    if (batch.length >= BATCH) yield* flush();
  }
  if (batch.length > 0) yield* flush();
  yield CALENDAR_CLOSING;
}
