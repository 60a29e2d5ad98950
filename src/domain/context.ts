import type { Knex } from 'knex';
import type { Actor } from './policy.js';
import type { ClinicSettings } from './settings/service.js';

/**
 * What every use case receives: the database handle, who is acting (null before login), and the
 * clock. Built by the CLI for a command, or by a test or script directly.
 */
export interface DomainContext {
  readonly db: Knex;
  readonly actor: Actor | null;
  readonly backend: 'embedded' | 'postgres';
  now(): Date;
  /** Fired on Ctrl-C/SIGTERM: long operations stop between rows and roll back (InterruptedError). */
  readonly signal?: AbortSignal | undefined;
  /** The clinic's settings as read when the command's session was resumed (a round trip saved); else read when needed. */
  readonly settings?: ClinicSettings | undefined;
}

export function withActor(ctx: DomainContext, actor: Actor | null): DomainContext {
  return { ...ctx, actor };
}
