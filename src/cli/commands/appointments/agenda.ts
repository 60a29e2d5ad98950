import { Command } from '@commander-js/extra-typings';
import type { Agenda, AgendaColumn, AgendaDay, AgendaRow } from '../../../domain/appointments/agenda.js';
import type { CliContext } from '../../context.js';
import { list, wholeNumber } from '../../options.js';
import { terminalSafe, type Column, type Output } from '../../output.js';
import { examples } from '../../help.js';

export function appointmentsAgendaCommand(ctx: CliContext) {
  return new Command('agenda')
    .description('the day sheet: one column per doctor, one row per slot of their grid, with breaks and time off (staff; a doctor: their own)')
    .addHelpText(
      'after',
      examples(
        'clinic appointments agenda',
        'clinic appointments agenda --date 2026-12-14 --doctor dr.silva,dr.tanaka',
        'clinic appointments agenda --days 5 --json',
      ),
    )
    .option('--date <date>', 'the day, YYYY-MM-DD (default today, clinic time zone)')
    .option('--doctor <doctor...>', 'only these doctors (username or id; repeat or separate with commas)', list)
    .option('--days <n>', 'how many days from --date (default 1, at most 7)', wholeNumber())
    .action(async (options) => {
      const { agenda } = await import('../../../domain/appointments/agenda.js');
      const sheet = await agenda(await ctx.domain(), { date: options.date, doctors: options.doctor, days: options.days });
      if (sheet.days.every((day) => day.doctors.length === 0)) {
        ctx.output.data(sheet, () => '');
        ctx.output.notice('No doctors.');
        return;
      }
      ctx.output.composed(sheet, () => renderAgenda(ctx.output, sheet));
    });
}

/** The narrowest a doctor's column gets before the doctors are split over several tables. */
const MIN_DOCTOR_WIDTH = 14;
const TIME_WIDTH = 5;

interface GridLine {
  at: string;
  time: string;
  cells: Array<{ text: string; tone?: string }>;
}

export function renderAgenda(output: Output, sheet: Agenda): string {
  const blocks: string[] = [];
  for (const day of sheet.days) {
    const pages = split(day.doctors, output.fitWidth);
    pages.forEach((doctors, page) => {
      const suffix = pages.length > 1 ? ` (${page + 1}/${pages.length})` : '';
      blocks.push(output.heading(`${day.weekday} ${day.date} · ${sheet.timeZone}${suffix}`));
      blocks.push(dayTable(output, { ...day, doctors }));
      blocks.push(doctors.map((doctor) => terminalSafe(legend(output, doctor))).join('\n'));
    });
  }
  return `${blocks.join('\n')}\n`;
}

/** Doctors per table: all of them when their columns fit the terminal at MIN_DOCTOR_WIDTH, else as many as do (at least one). */
function split(doctors: readonly AgendaColumn[], width: number | undefined): AgendaColumn[][] {
  const perPage = width === undefined ? doctors.length : Math.max(1, Math.floor((width - 1 - (TIME_WIDTH + 3)) / (MIN_DOCTOR_WIDTH + 3)));
  const pages: AgendaColumn[][] = [];
  for (let i = 0; i < doctors.length; i += perPage) pages.push(doctors.slice(i, i + perPage));
  return pages;
}

function dayTable(output: Output, day: AgendaDay): string {
  const times = new Map<string, string>();
  for (const doctor of day.doctors) for (const row of doctor.rows) times.set(row.startsAt, row.time);
  const lines: GridLine[] = [...times.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([at, time]) => ({ at, time, cells: day.doctors.map((doctor) => cell(doctor, at)) }));
  if (lines.length === 0) return terminalSafe(`Nobody works on ${day.weekday} ${day.date}.`);
  const columns: Array<Column<GridLine>> = [
    { header: 'TIME', value: (line) => line.time },
    ...day.doctors.map((doctor, i): Column<GridLine> => ({
      header: terminalSafe(doctor.doctor.toUpperCase()),
      value: (line) => line.cells[i]!.text,
      tone: (line) => line.cells[i]!.tone,
      fit: true,
    })),
  ];
  return output.table(lines, columns);
}

function cell(doctor: AgendaColumn, at: string): { text: string; tone?: string } {
  const exact = doctor.rows.find((row) => row.startsAt === at && row.kind === 'booked') ?? doctor.rows.find((row) => row.startsAt === at);
  if (exact) return describe(exact);
  const covering = doctor.rows.find((row) => row.startsAt < at && row.endsAt > at);
  if (covering?.appointment) return { text: '⋮', tone: covering.appointment.status };
  return { text: '' };
}

function describe(row: AgendaRow): { text: string; tone?: string } {
  switch (row.kind) {
    case 'booked':
      return { text: `${row.appointment!.status} ${row.appointment!.patientName}`, tone: row.appointment!.status };
    case 'occupied':
      return { text: `⋮ ${row.appointment!.patientName}`, tone: row.appointment!.status };
    case 'time-off':
      return { text: 'time off' };
    case 'break':
      return { text: `break to ${row.endTime}` };
    default:
      return { text: 'free' };
  }
}

/** "dr.silva (Ana Silva): 09:00-12:00, 13:00-17:00; time off 2027-01-04 14:00 to 2027-01-04 16:00 (training)" */
function legend(output: Output, doctor: AgendaColumn): string {
  const hours = doctor.hours.length > 0 ? doctor.hours.join(', ') : 'not working';
  const away = doctor.timeOff.map(
    (period) => `time off ${output.when(new Date(period.startsAt))} to ${output.when(new Date(period.endsAt))}${period.reason ? ` (${period.reason})` : ''}`,
  );
  return `${doctor.doctor} (${doctor.name}): ${[hours, ...away].join('; ')}`;
}
