import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { examples } from '../../help.js';

export function dbGrantCommand(ctx: CliContext) {
  return new Command('grant')
    .description("give an application role exactly the privileges clinic's commands need (PostgreSQL; run as the owner)")
    .addHelpText(
      'after',
      examples(
        'clinic db grant clinic_app --database-url postgres://postgres@db.example/clinic',
        'CLINIC_DATABASE_URL=postgres://postgres@db.example/clinic clinic db grant clinic_app',
      ),
    )
    .argument('<role>', 'the application role (created beforehand, e.g. CREATE ROLE clinic_app LOGIN PASSWORD ...)')
    .action(async (role) => {
      const { grantApplicationRole } = await import('../../../domain/database/grant.js');
      const result = await grantApplicationRole(await ctx.anonymousDomain(), role);
      ctx.output.data(result, () =>
        [
          `Granted to ${result.role} on ${result.database} (schema ${result.schema}):`,
          `  read and write  ${result.readWrite.join(', ')}`,
          `  append only     ${result.appendOnly.join(', ')} (SELECT, INSERT)`,
          `  read only       ${result.readOnly.join(', ')}`,
          'Run `clinic db grant` again after each `clinic db migrate`.',
        ].join('\n'),
      );
    });
}
