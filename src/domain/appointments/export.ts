import {
  appointmentKeys,
  listAppointments as listAppointmentRows,
  supersededWithin,
  type AppointmentWithNamesRow,
} from '../../db/repositories/appointments.js';
import { peopleByIds, type PersonDetailsRow } from '../../db/repositories/users.js';
import { appointmentFilter, type ListInput } from './queries.js';
import { clinicDate, clinicTime } from '../clinic-time.js';
import { appointmentView, type AppointmentView } from './view.js';
import { authorize, recordAudit } from '../audit/record.js';
import type { DomainContext } from '../context.js';
import { throwIfInterrupted } from '../interruption.js';
import { requireActor } from '../policy.js';
import { APPOINTMENT_FIELDS, type AppointmentField } from './file-rows.js';
import { CSV_WRITE_OPTIONS } from '../csv-cells.js';

export type ExportFilters = Omit<ListInput, 'limit'>;

/** One exported appointment: the import fields (so that an export imports again), its view, and its people. */
export interface ExportedAppointment {
  fields: Record<AppointmentField, string | number | null>;
  view: AppointmentView;
  /** set the first time the export meets this person, for formats that describe people once (FHIR) */
  newPatient: PersonDetailsRow | undefined;
  newDoctor: PersonDetailsRow | undefined;
  /** the id an outside system gave it (import externalId, idempotency key), if any */
  outsideId: string | null;
  /** a reschedule replaced it by an appointment this export also holds (a calendar shows the chain once) */
  supersededInExport: boolean;
}

const PAGE = 1_000;

/**
 * `clinic appointments export`: the appointments matching the list filters (all of them, not only
 * from today, when no date is given), in time order, a page at a time so that memory does not
 * grow with the table. The externalId is the appointment's own when it came from an import, else
 * its id, so that importing an export twice adds nothing.
 */
export async function exportAppointments(ctx: DomainContext, filters: ExportFilters = {}, format?: ExportFormat): Promise<AsyncGenerator<ExportedAppointment>> {
  const actor = requireActor(ctx.actor);
  // A calendar is for anyone, of what they may see; the other formats (every field, to re-import) for staff.
  await authorize(ctx, actor, format === 'ics' ? 'appointments.calendar' : 'appointments.export', {}, { entity: 'appointments' });
  const { filter, zone, namesNobody } = await appointmentFilter(ctx, actor, filters, { fromToday: false });
  await recordAudit(ctx.db, actor, { action: 'appointments.export', entity: 'appointments', details: { filters, ...(format ? { format } : {}) } });
  const seen = new Set<string>();

  return (async function* () {
    if (namesNobody) return;
    let after: { startsAt: Date; id: string } | undefined;
    for (;;) {
      throwIfInterrupted(ctx.signal);
      const rows = await listAppointmentRows(ctx.db, { ...filter, limit: PAGE, ...(after ? { after } : {}) });
      const unseen = [...new Set(rows.flatMap((row) => [row.patient_id, row.doctor_id]))].filter((id) => !seen.has(id));
      const people = new Map((await peopleByIds(ctx.db, unseen)).map((person) => [person.id, person]));
      const replaced = await appointmentKeys(
        ctx.db,
        rows.flatMap((row) => (row.rescheduled_from_id ? [row.rescheduled_from_id] : [])),
      );
      const superseded = await supersededWithin(
        ctx.db,
        rows.map((row) => row.id),
        filter,
      );
      for (const row of rows) {
        const newPatient = firstTime(seen, people, row.patient_id);
        const newDoctor = firstTime(seen, people, row.doctor_id);
        yield {
          fields: importFields(row, zone, replaced),
          view: appointmentView(row, zone),
          newPatient,
          newDoctor,
          outsideId: row.external_id,
          supersededInExport: superseded.has(row.id),
        };
      }
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1]!;
      after = { startsAt: last.starts_at, id: last.id };
    }
  })();
}

/** csv and ndjson: the import's format; json: one array of the NDJSON objects; fhir: a FHIR R4 Bundle; ics: an RFC 5545 calendar. */
export type ExportFormat = 'csv' | 'ndjson' | 'json' | 'fhir' | 'ics';

/**
 * The export as text, a chunk at a time, in the format asked. Authorization and the audit entry
 * happen before the first chunk, so that a refusal writes nothing.
 */
export async function exportAppointmentsText(ctx: DomainContext, format: ExportFormat, filters: ExportFilters = {}): Promise<AsyncGenerator<string>> {
  const appointments = await exportAppointments(ctx, filters, format);
  const now = ctx.now();
  return (async function* () {
    if (format === 'ics') {
      const { calendarChunks } = await import('./calendar.js');
      const audience = ctx.actor?.role === 'patient' || filters.patient !== undefined ? 'patient' : 'clinic';
      yield* calendarChunks(ctx.db, appointments, audience, now);
    } else if (format === 'fhir') {
      const [{ bundleOpening, bundleClosing, ENTRIES_OPENING, fhirEntries }, { loadSettings }] = await Promise.all([
        import('./fhir.js'),
        import('../settings/service.js'),
      ]);
      const options = { identifierSystem: (await loadSettings(ctx)).fhirIdentifierSystem };
      yield bundleOpening(now);
      let entries = 0;
      for await (const item of appointments) {
        for (const entry of fhirEntries(item, options)) {
          yield `${entries === 0 ? ENTRIES_OPENING : ','}\n${JSON.stringify(entry)}`;
          entries++;
        }
      }
      yield `${bundleClosing(entries)}\n`;
    } else if (format === 'json') {
      let first = true;
      yield '[';
      for await (const item of appointments) {
        yield `${first ? '' : ','}\n${JSON.stringify(item.fields)}`;
        first = false;
      }
      yield first ? ']\n' : '\n]\n';
    } else if (format === 'ndjson') {
      for await (const item of appointments) yield `${JSON.stringify(item.fields)}\n`;
    } else {
      const { stringify } = await import('csv-stringify/sync');
      yield stringify([APPOINTMENT_FIELDS as unknown as string[]], CSV_WRITE_OPTIONS);
      for await (const item of appointments) yield stringify([APPOINTMENT_FIELDS.map((field) => item.fields[field] ?? '')], CSV_WRITE_OPTIONS);
    }
  })();
}

function firstTime(seen: Set<string>, people: Map<string, PersonDetailsRow>, id: string): PersonDetailsRow | undefined {
  if (seen.has(id)) return undefined;
  seen.add(id);
  return people.get(id);
}

function importFields(row: AppointmentWithNamesRow, zone: string, replaced: ReadonlyMap<string, string>): Record<AppointmentField, string | number | null> {
  return {
    patient: row.patient_username,
    doctor: row.doctor_username,
    date: clinicDate(row.starts_at, zone),
    time: clinicTime(row.starts_at, zone),
    reason: row.reason,
    durationMinutes: Math.round((row.ends_at.getTime() - row.starts_at.getTime()) / 60_000),
    status: row.status,
    externalId: row.external_id ?? row.id,
    cancelReason: row.cancel_reason,
    rescheduledFromId: row.rescheduled_from_id === null ? null : (replaced.get(row.rescheduled_from_id) ?? row.rescheduled_from_id),
    seriesId: row.series_id,
  };
}
