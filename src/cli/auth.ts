import type { DomainContext } from '../domain/context.js';
import { NotAuthenticatedError } from '../domain/errors.js';
import type { Authentication } from '../domain/identity/authentication.js';
import type { CliContext } from './context.js';
import type { StoredSession } from './session-store.js';

/** Who runs this command, and how they proved it: CLINIC_TOKEN, else the session this terminal (or no terminal) keeps for this database. */
export async function authenticate(cli: CliContext, domain: DomainContext): Promise<Authentication> {
  const token = cli.env.CLINIC_TOKEN?.trim();
  if (token) {
    const { authenticateApiToken } = await import('../domain/identity/api-tokens.js');
    return authenticateApiToken(domain, token);
  }
  const stored = await storedSession(cli);
  const { resumeSession } = await import('../domain/identity/sessions.js');
  return resumeSession(domain, stored.token);
}

/**
 * The session file in use: this terminal's on a terminal, else the one of commands without a
 * terminal. A terminal never falls back to the other one: each window logs in on its own.
 */
export async function storedSession(cli: CliContext): Promise<StoredSession> {
  const { readSession } = await import('./session-store.js');
  const target = await cli.target();
  const terminal = await cli.terminal();
  const stored = await readSession(cli.env, target, terminal);
  if (stored) return stored;
  if (terminal) {
    const elsewhere = await readSession(cli.env, target, null).catch(() => undefined);
    throw new NotAuthenticatedError(`This terminal (${terminal.device}) is not logged in.`, {
      remedy: elsewhere
        ? 'Run `clinic login`. (The session kept for commands without a terminal is not used on a terminal: each terminal logs in on its own.)'
        : 'Run `clinic login`.',
    });
  }
  throw new NotAuthenticatedError('Not logged in (this command has no terminal).', {
    remedy: 'Set CLINIC_TOKEN (see `clinic tokens create`), or run `clinic login --username U --password-stdin` without a terminal, as this command runs.',
  });
}
