import type { DomainContext } from '../domain/context.js';
import { NotAuthenticatedError } from '../domain/errors.js';
import type { Actor } from '../domain/policy.js';
import type { CliContext } from './context.js';

/**
 * Who runs this command: CLINIC_TOKEN, else this terminal's session for this database.
 * Identity (sessions, tokens) is resolved by the domain; this only finds the credential.
 */
export async function resolveActor(_cli: CliContext, _domain: DomainContext): Promise<Actor> {
  throw new NotAuthenticatedError('Not logged in.', { remedy: 'Run `clinic login`.' });
}
