import { applyApplicationGrants, describeSchema, findRole, AUDIT_LOG_TABLE } from '../../db/grants.js';
import type { DomainContext } from '../context.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { inTransaction } from '../transaction.js';

export interface GrantResult {
  role: string;
  database: string;
  schema: string;
  /** SELECT, INSERT, UPDATE, DELETE */
  readWrite: string[];
  /** SELECT, INSERT only: the audit log */
  appendOnly: string[];
  /** SELECT only: the migrations list, so the role can tell whether the schema is current */
  readOnly: string[];
}

/**
 * `clinic db grant ROLE`: run by the owner of clinic's tables after `db migrate`, so that every
 * other command can run as ROLE with only what it needs. UPDATE, DELETE and TRUNCATE on the audit
 * log, and ALTER TABLE (disabling its trigger), stay the owner's.
 */
export async function grantApplicationRole(ctx: DomainContext, role: string): Promise<GrantResult> {
  if (ctx.backend !== 'postgres') {
    throw new ValidationError('`clinic db grant` is for a PostgreSQL server; the embedded database has no roles.', {
      remedy: 'Give --database-url (or CLINIC_DATABASE_URL) of the server, connecting as the owner role.',
    });
  }
  if (role.trim() === '') throw new ValidationError('The role name is empty.', { remedy: 'Name the application role: `clinic db grant ROLE`.' });
  return inTransaction(
    ctx,
    async (trx) => {
      const found = await findRole(trx, role);
      if (!found) {
        throw new NotFoundError(`The role "${role}" does not exist on this server.`, {
          remedy: 'Create it first as a superuser or role admin (CREATE ROLE ... LOGIN PASSWORD ...), then run `clinic db grant` again.',
        });
      }
      const schema = await describeSchema(trx);
      const notOwned = schema.tables.filter((table) => !table.ownedByCurrentUser);
      if (notOwned.length > 0) {
        throw new ForbiddenError(
          `Only the owner of clinic's tables can grant on them; "${schema.currentUser}" does not own ${notOwned.map((t) => t.name).join(', ')} (owner: ${notOwned[0]!.owner}).`,
          {
            remedy: 'Run `clinic db grant` connected as the role that ran `clinic db migrate`.',
          },
        );
      }
      if (found.superuser || found.name === schema.currentUser) {
        throw new ValidationError(
          `The role "${role}" is ${found.superuser ? 'a superuser' : 'the role running this command'}: privileges would not limit it.`,
          {
            remedy: 'Grant to a separate application role that owns nothing (README, Operations).',
          },
        );
      }
      if (!schema.tables.some((table) => table.name === AUDIT_LOG_TABLE)) {
        throw new ValidationError('The schema has no clinic tables yet.', { remedy: 'Run `clinic db migrate` first.' });
      }
      const applied = await applyApplicationGrants(trx, found.name, schema);
      return { role: found.name, database: schema.database, schema: schema.schema, ...applied };
    },
    { retries: 0 },
  );
}
