import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { examples } from '../../help.js';

export function dbMigrateCommand(ctx: CliContext) {
  return new Command('migrate')
    .description('apply pending migrations')
    .addHelpText('after', examples('clinic db migrate', 'clinic db migrate --database-url postgres://clinic@db.example/clinic'))
    .action(async () => {
      const { migrateSchema } = await import('../../../domain/database/service.js');
      const result = await migrateSchema(await ctx.anonymousDomain('none'));
      ctx.output.data(result, () => (result.migrated.length === 0 ? 'Already up to date.' : result.migrated.map((name) => `migrated ${name}`).join('\n')));
    });
}
