import type { DomainContext } from '../domain/context.js';
import { NotAuthenticatedError } from '../domain/errors.js';
import type { Authentication } from '../domain/identity/authentication.js';
import type { CliContext } from './context.js';

/**
 * Who runs this command, and how they proved it: CLINIC_TOKEN, else this terminal's session for this database.
 * Identity (sessions, tokens) is resolved by the domain; this only finds the credential.
 */
export async function authenticate(cli: CliContext, domain: DomainContext): Promise<Authentication> {
  const token = cli.env.CLINIC_TOKEN?.trim();
  if (token) {
    const { authenticateApiToken } = await import('../domain/identity/api-tokens.js');
    return authenticateApiToken(domain, token);
  }
  const { readSession } = await import('./session-store.js');
  const stored = await readSession(cli.env, await cli.target());
  if (!stored) throw new NotAuthenticatedError('Not logged in.', { remedy: 'Run `clinic login`.' });
  const { resumeSession } = await import('../domain/identity/sessions.js');
  return resumeSession(domain, stored.token);
}
