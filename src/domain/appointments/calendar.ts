import type { Knex } from 'knex';
import { rescheduleOrigins } from '../../db/repositories/appointments.js';
import type { ExportedAppointment } from './export.js';
import { CALENDAR_CLOSING, calendarOpening, icsEvent, type CalendarAudience } from './ics.js';

const BATCH = 500;

/**
 * `appointments export --format ics`: one VEVENT per appointment, except those a reschedule
 * replaced by one this calendar also holds: the successor carries the same UID (the chain's first
 * appointment) with a higher SEQUENCE, so a calendar program moves the event instead of showing
 * two. A replaced appointment whose successors are all outside the export (another week, another
 * doctor's filter) stays, as STATUS:CANCELLED: a calendar that holds it takes it off its day, and
 * a later calendar with the successor, of a higher SEQUENCE, puts it back where it moved.
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
    const ids = batch.flatMap((item) => (item.supersededInExport ? [] : [item.view.id]));
    const origins = await rescheduleOrigins(db, ids);
    for (const { view, supersededInExport } of batch) {
      if (supersededInExport) continue;
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
