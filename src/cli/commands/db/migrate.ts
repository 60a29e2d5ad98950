import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';

export function dbMigrateCommand(ctx: CliContext) {
  return new Command('migrate').description('apply pending migrations').action(async () => {
    const { migrateSchema } = await import('../../../domain/database/service.js');
    const result = await migrateSchema(await ctx.anonymousDomain('none'));
    ctx.output.data(result, () => (result.migrated.length === 0 ? 'Already up to date.' : result.migrated.map((name) => `migrated ${name}`).join('\n')));
  });
}
