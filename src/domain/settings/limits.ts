/** The longest absolute session limit a clinic may set (`session-absolute-hours`): 30 days. */
export const MAX_SESSION_ABSOLUTE_HOURS = 24 * 30;
