/** How a recurring booking repeats (`appointments book --repeat`), and its limits; no dependencies, for the command's declaration. */
export const REPEATS = ['daily', 'weekly', 'every-2-weeks', 'monthly'] as const;
export type Repeat = (typeof REPEATS)[number];

/** A series holds at most this many occurrences … */
export const MAX_OCCURRENCES = 100;
/** … and its last one is at most a year after its first. */
export const MAX_SPAN_YEARS = 1;
