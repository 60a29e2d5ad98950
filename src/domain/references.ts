import type { DomainContext } from './context.js';
import { NotFoundError, ValidationError } from './errors.js';
import { mayBeHidden, type Actor } from './policy.js';
import { notFoundFor } from './visibility.js';

/** The kinds of record a user names on the command line. */
export type RecordKind = 'user' | 'doctor' | 'patient' | 'appointment' | 'message' | 'api_token' | 'waitlist_entry' | 'timeoff';

/** How each kind is called in messages, and the one remedy for not finding one. */
const KINDS: Record<RecordKind, { noun: string; remedy: string }> = {
  // `users list` is for admins: everyone else can only be told how accounts are named.
  user: { noun: 'user', remedy: 'Name the account by its username or id (admins see every account with `clinic users list`).' },
  doctor: { noun: 'doctor', remedy: 'Run `clinic doctors list` to see the doctors.' },
  patient: { noun: 'patient', remedy: 'Run `clinic patients list` to see the patients you can see.' },
  appointment: { noun: 'appointment', remedy: 'Run `clinic appointments list` to see appointment ids.' },
  message: { noun: 'message', remedy: 'Run `clinic messages inbox` or `clinic messages sent` to see message ids.' },
  api_token: { noun: 'API token', remedy: 'Run `clinic tokens list` to see token ids.' },
  waitlist_entry: { noun: 'waitlist entry', remedy: 'Run `clinic waitlist list` to see entry ids.' },
  timeoff: { noun: 'time off', remedy: "Run `clinic doctors timeoff list DOCTOR` to see the doctor's time-off ids." },
};

/** "No doctor "dr.who"." with the remedy for doctors: the one not-found error for a named record. */
export function noSuch(kind: RecordKind, ref: string): NotFoundError {
  const { noun, remedy } = KINDS[kind];
  return new NotFoundError(`No ${noun} "${ref}".`, { remedy });
}

/** DESIGN §3: appointments, messages and API tokens are named by their id or a unique prefix of at least this many characters. */
export const MIN_ID_PREFIX = 8;
const ID_TEXT = /^[0-9a-f-]{1,36}$/;
const AMBIGUOUS_SHOWN = 6;

export type IdKind = 'appointment' | 'message' | 'api_token' | 'waitlist_entry' | 'timeoff';

/** Where records of one kind are looked up by id prefix. */
export interface IdLookup<Row extends { id: string }> {
  kind: IdKind;
  /** the audit row's action when the record is missing or hidden */
  action: string;
  /**
   * Rows whose id starts with `prefix` (a whole id: that row), at most `limit`, ordered by id:
   * among those the policy lets the actor see (`visible`), or among all (`all`, for the audit row).
   */
  find(prefix: string, reach: 'visible' | 'all', limit: number): Promise<Row[]>;
  /** what the audit row names of a record hidden from the actor */
  audited(row: Row): { id: string; patientId?: string | null };
}

/**
 * The record named by `ref`: its id, or a unique prefix of at least 8 characters, in any case.
 * Only records the actor may see are candidates, so an ambiguity never counts hidden ones, and a
 * record the actor may not see gets the same exit 6, message and audit row as one that does not
 * exist (visibility.ts).
 */
export async function resolveById<Row extends { id: string }>(ctx: DomainContext, actor: Actor, ref: string, lookup: IdLookup<Row>): Promise<Row> {
  const prefix = idPrefix(ref, lookup.kind);
  const visible = await lookup.find(prefix, 'visible', AMBIGUOUS_SHOWN);
  if (visible.length > 1) {
    throw new ValidationError(`"${ref}" matches more than one ${KINDS[lookup.kind].noun}: ${visible.map((row) => row.id).join(', ')}.`, {
      remedy: 'Give more characters of the id.',
    });
  }
  if (visible[0]) return visible[0];
  // For the admins' audit row only: the one hidden record the reference names, if it names one.
  const hidden = mayBeHidden(actor, lookup.kind) ? await lookup.find(prefix, 'all', 2) : [];
  throw await notFoundFor(ctx, actor, {
    kind: lookup.kind,
    action: lookup.action,
    ref,
    existing: hidden.length === 1 ? lookup.audited(hidden[0]!) : undefined,
    error: noSuch(lookup.kind, ref),
  });
}

/** `ref` as an id prefix: lower-case hex and hyphens, 8 to 36 characters; anything else is exit 3. */
function idPrefix(ref: string, kind: IdKind): string {
  const prefix = ref.trim().toLowerCase();
  const { noun, remedy } = KINDS[kind];
  const article = /^[aeiou]/i.test(noun) ? 'an' : 'a';
  if (!ID_TEXT.test(prefix)) throw new ValidationError(`"${ref}" is not ${article} ${noun} id.`, { remedy });
  if (prefix.length < MIN_ID_PREFIX) {
    throw new ValidationError(`"${ref}" is too short: give ${article} ${noun}'s whole id or at least its first ${MIN_ID_PREFIX} characters.`, { remedy });
  }
  return prefix;
}
