import type { WaitlistEntryView } from '../../../domain/waitlist/service.js';
import type { Column, Output } from '../../output.js';

export const WAITLIST_COLUMNS: ReadonlyArray<Column<WaitlistEntryView>> = [
  { header: 'ID', value: (e) => e.id.slice(0, 8) },
  { header: 'PATIENT', value: (e) => e.patient, fit: 'last' },
  { header: 'DOCTOR', value: (e) => e.doctor, fit: 'last' },
  { header: 'FROM', value: (e) => e.fromDate ?? '' },
  { header: 'TO', value: (e) => e.toDate ?? '' },
  { header: 'TIMES', value: (e) => e.times ?? 'any' },
  { header: 'DAYS', value: (e) => e.days.join(',') },
  { header: 'STATUS', value: (e) => e.status },
];

export function renderWaitlistEntry(output: Output, entry: WaitlistEntryView): void {
  output.record(entry, [
    ['id', entry.id],
    ['patient', entry.patient],
    ['doctor', entry.doctor],
    ['from', entry.fromDate ?? 'now'],
    ['to', entry.toDate ?? 'open'],
    ['times', entry.times ?? 'any'],
    ['days', entry.days.join(',')],
    ['status', entry.status],
    ...(entry.appointmentId ? [['appointment', entry.appointmentId] as const] : []),
  ]);
}
