/** New doctors work Monday to Friday, 09:00–17:00, in 30-minute slots, until told otherwise. */
export const DEFAULT_SLOT_MINUTES = 30;

export const DEFAULT_WEEKLY_HOURS: ReadonlyArray<{ weekday: number; start: string; end: string }> = [1, 2, 3, 4, 5].map((weekday) => ({
  weekday,
  start: '09:00',
  end: '17:00',
}));
