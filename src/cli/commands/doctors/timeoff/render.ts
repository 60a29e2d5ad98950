import type { TimeoffView } from '../../../../domain/doctors/view.js';
import type { Output } from '../../../output.js';

/** Turns a moment into the clinic's wall-clock time, for people (JSON keeps ISO 8601 UTC). */
export type WallClock = (moment: Date, bound?: 'start' | 'end') => string;

export function renderTimeoff(output: Output, timeoff: TimeoffView, local: WallClock): void {
  output.record(timeoff, [
    ['id', timeoff.id],
    ['doctor', timeoff.doctor],
    ['from', local(timeoff.startsAt)],
    ['to', local(timeoff.endsAt, 'end')],
    ['reason', timeoff.reason],
  ]);
}

export function renderTimeoffList(output: Output, rows: readonly TimeoffView[], local: WallClock): void {
  output.list(
    rows,
    [
      { header: 'ID', value: (t) => t.id },
      { header: 'FROM', value: (t) => local(t.startsAt) },
      { header: 'TO', value: (t) => local(t.endsAt, 'end') },
      { header: 'REASON', value: (t) => t.reason, fit: true },
    ],
    undefined,
    'No time off.',
  );
}
