import type { AppointmentStatus } from '../../db/schema-values.js';
import type { AppointmentView } from './view.js';

/**
 * An RFC 5545 calendar written by hand (no dependency): CRLF line ends, lines folded at 75 octets
 * without splitting a UTF-8 character, TEXT values escaped, every time in UTC (`…Z`, so no
 * VTIMEZONE is needed and every calendar program places it right).
 */

/** Who the calendar is for: a patient's shows no patient name and no reason; the clinic's (staff, a doctor) both. */
export type CalendarAudience = 'patient' | 'clinic';

export interface CalendarEvent {
  view: AppointmentView;
  patientName: string;
  doctorName: string;
  /** the first appointment of its reschedule chain: the event's UID stays that of the first booking */
  rootId: string;
  /** reschedules from the root to this appointment */
  moves: number;
}

const CRLF = '\r\n';

/** DESIGN §6's statuses as VEVENT STATUS values. */
export const ICS_STATUS: Readonly<Record<AppointmentStatus, 'TENTATIVE' | 'CONFIRMED' | 'CANCELLED'>> = {
  PENDING: 'TENTATIVE',
  APPROVED: 'CONFIRMED',
  CHECKED_IN: 'CONFIRMED',
  COMPLETED: 'CONFIRMED',
  NO_SHOW: 'CONFIRMED',
  REJECTED: 'CANCELLED',
  CANCELLED: 'CANCELLED',
};

const STATUS_RANK = { TENTATIVE: 0, CONFIRMED: 1, CANCELLED: 2 } as const;

/**
 * SEQUENCE grows with every change a calendar program must apply: three per reschedule, plus one
 * when the event becomes confirmed and two when it is cancelled. A reschedule always outranks the
 * state before it (3 × moves + at most 2), and a status only ever moves forward.
 */
export function icsSequence(status: AppointmentStatus, moves: number): number {
  return 3 * moves + STATUS_RANK[ICS_STATUS[status]];
}

/** A TEXT value (RFC 5545 §3.3.11): \ ; , escaped, line breaks as \n, other controls dropped. */
export function icsText(value: string): string {
  return value
    .replace(/\r\n?/g, '\n')
    .replace(/[\\;,]/g, (c) => `\\${c}`)
    .replace(/\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '');
}

/** One content line folded (RFC 5545 §3.1): at most 75 octets a line, continuation lines start with a space. */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  let limit = 75;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (octets + size > limit) {
      parts.push(current);
      current = ' ';
      octets = 1;
      limit = 75;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(CRLF);
}

/** 20270104T090000Z */
export function icsDateTime(instant: Date | string): string {
  return new Date(instant)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

const lines = (...content: string[]) => content.map((line) => `${foldLine(line)}${CRLF}`).join('');

export function calendarOpening(name: string): string {
  return lines(
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//clinic//clinic appointments export//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${icsText(name)}`,
  );
}

export const CALENDAR_CLOSING = `END:VCALENDAR${CRLF}`;

export function icsEvent(event: CalendarEvent, audience: CalendarAudience, stamp: Date): string {
  const { view } = event;
  const summary = audience === 'patient' ? `Appointment with ${event.doctorName}` : `${event.patientName} with ${event.doctorName}`;
  const description = [
    `Status: ${view.status}`,
    ...(audience === 'clinic' && view.reason ? [`Reason: ${view.reason}`] : []),
    ...(view.cancelReason && audience === 'clinic' ? [`Cancel reason: ${view.cancelReason}`] : []),
    `Appointment ${view.id}`,
  ].join('\n');
  return lines(
    'BEGIN:VEVENT',
    `UID:${event.rootId}@clinic`,
    `DTSTAMP:${icsDateTime(stamp)}`,
    `DTSTART:${icsDateTime(view.startsAt)}`,
    `DTEND:${icsDateTime(view.endsAt)}`,
    `SEQUENCE:${icsSequence(view.status, event.moves)}`,
    `STATUS:${ICS_STATUS[view.status]}`,
    `SUMMARY:${icsText(summary)}`,
    `DESCRIPTION:${icsText(description)}`,
    `CREATED:${icsDateTime(view.createdAt)}`,
    `LAST-MODIFIED:${icsDateTime(view.updatedAt)}`,
    'TRANSP:OPAQUE',
    'END:VEVENT',
  );
}
