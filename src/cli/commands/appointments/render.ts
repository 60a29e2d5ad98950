import type { AppointmentView } from '../../../domain/appointments/view.js';
import type { Column, Output } from '../../output.js';

/** What appointment commands print with --json: one appointment, or a list of them. */
export const appointmentFields = async () => (await import('../../../domain/appointments/view.js')).APPOINTMENT_VIEW_FIELDS;

export function renderAppointment(output: Output, appointment: AppointmentView): void {
  output.record(appointment, [
    ['id', appointment.id],
    ['date', appointment.date],
    ['time', appointment.timeSlot],
    ['patient', appointment.patient],
    ['doctor', appointment.doctor],
    ['status', appointment.status],
    ['reason', appointment.reason],
    ...(appointment.cancelReason ? [['cancel reason', appointment.cancelReason] as const] : []),
    ...(appointment.rescheduledFromId ? [['rescheduled from', appointment.rescheduledFromId] as const] : []),
    ...(appointment.seriesId ? [['series', appointment.seriesId] as const] : []),
    ['starts at', appointment.startsAt],
    ['ends at', appointment.endsAt],
  ]);
}

export const APPOINTMENT_COLUMNS: ReadonlyArray<Column<AppointmentView>> = [
  { header: 'ID', value: (a) => a.id.slice(0, 8) },
  { header: 'DATE', value: (a) => a.date, omitWhenShared: true },
  { header: 'TIME', value: (a) => a.timeSlot },
  { header: 'PATIENT', value: (a) => a.patient, fit: 'last' },
  { header: 'DOCTOR', value: (a) => a.doctor, fit: 'last' },
  { header: 'STATUS', value: (a) => a.status, status: true },
  { header: 'REASON', value: (a) => a.reason, fit: true },
];

/** "Booked 1a2b3c4d: 2027-01-04 09:00-09:30 with dr-who (PENDING)." */
export function describeAppointment(appointment: AppointmentView): string {
  return `${appointment.id.slice(0, 8)}: ${appointment.date} ${appointment.timeSlot}, ${appointment.patient} with ${appointment.doctor} (${appointment.status})`;
}

/** What a `--series` change covers, for its confirmation: "3 occurrences of the series of P with D, from DATE to DATE". */
export function describeOccurrences(occurrences: readonly AppointmentView[]): string {
  const first = occurrences[0]!;
  const last = occurrences[occurrences.length - 1]!;
  const count = occurrences.length === 1 ? '1 occurrence' : `${occurrences.length} occurrences`;
  const when = first.date === last.date ? `on ${first.date}` : `from ${first.date} to ${last.date}`;
  return `${count} of the series of ${first.patient} with ${first.doctor}, ${when}`;
}
