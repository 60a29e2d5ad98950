import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';

export function dbRollbackCommand(ctx: CliContext) {
  return new Command('rollback')
    .description('undo the last batch of migrations')
    .option('--all', 'undo every migration (drops all data)')
    .action(async (options) => {
      const all = options.all === true;
      if (all && !(await ctx.prompter.confirm('This drops every table and all data.', ctx.globals.yes))) return;
      const { rollbackSchema } = await import('../../../domain/database/service.js');
      const result = await rollbackSchema(await ctx.anonymousDomain('none'), { all });
      ctx.output.data(result, () =>
        result.rolledBack.length === 0 ? 'Nothing to roll back.' : result.rolledBack.map((name) => `rolled back ${name}`).join('\n'),
      );
    });
}
