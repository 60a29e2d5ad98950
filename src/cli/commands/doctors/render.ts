import type { DayHours } from '../../../domain/doctors/hours.js';
import type { DoctorDetails, DoctorView } from '../../../domain/doctors/view.js';
import { IndentedLines, type Column, type Output } from '../../output.js';

export const DOCTOR_COLUMNS: ReadonlyArray<Column<DoctorView>> = [
  { header: 'USERNAME', value: (d) => d.username },
  { header: 'NAME', value: (d) => d.fullName, fit: true },
  { header: 'SPECIALTY', value: (d) => d.specialty, fit: true },
  { header: 'LICENCE', value: (d) => d.licenseNumber },
  { header: 'SLOT', value: (d) => `${d.slotMinutes} min` },
  { header: 'STATUS', value: (d) => d.status },
];

export function weekLines(hours: readonly DayHours[]): string {
  return hours.map((day) => `${day.day}  ${day.ranges.length > 0 ? day.ranges.join(', ') : 'off'}`).join('\n');
}

export function renderDoctor(output: Output, doctor: DoctorDetails): void {
  output.record(doctor, [
    ['id', doctor.id],
    ['username', doctor.username],
    ['name', doctor.fullName],
    ['email', doctor.email],
    ['specialty', doctor.specialty],
    ['licence', doctor.licenseNumber],
    ['slot minutes', doctor.slotMinutes],
    ['status', doctor.status],
    ['hours', new IndentedLines(weekLines(doctor.hours).split('\n'))],
  ]);
}

export function renderWeek(output: Output, hours: DayHours[]): void {
  output.data(hours, () => weekLines(hours));
}
