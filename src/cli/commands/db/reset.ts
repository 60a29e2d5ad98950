import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { describeDrops, rowsInAll } from './render.js';
import { examples } from '../../help.js';

export function dbResetCommand(ctx: CliContext) {
  return new Command('reset')
    .description('drop all data and rebuild the schema, naming the tables it drops and asking first (needs --yes without a terminal)')
    .addHelpText('after', examples('clinic db reset', 'clinic db reset --yes --data-dir ~/clinic-test'))
    .option('--force', 'allow it when CLINIC_ENV=production')
    .action(async (options) => {
      const { assertDestructionAllowed, planReset, resetSchema } = await import('../../../domain/database/service.js');
      const { describeTarget } = await import('../../../db/target.js');
      assertDestructionAllowed({ environment: ctx.env.CLINIC_ENV, force: options.force === true, action: 'reset the database' });
      const domain = await ctx.anonymousDomain('none');
      const plan = await planReset(domain);
      const question = `Resetting the ${describeTarget(await ctx.target())} drops ${describeDrops(plan.drops)}: ALL data, the audit log too.`;
      await ctx.prompter.confirm(question, ctx.globals.yes);
      const result = await resetSchema(domain, plan);
      ctx.output.data(
        result,
        () =>
          `Reset: dropped ${result.dropped.length} tables (${rowsInAll(result.dropped)} rows), ` +
          `rolled back ${result.rolledBack.length} and applied ${result.migrated.length} migrations.`,
      );
    });
}
