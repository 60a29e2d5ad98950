import { Command, Option } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { describeDrops } from './render.js';
import { examples } from '../../help.js';

export function dbRollbackCommand(ctx: CliContext) {
  return new Command('rollback')
    .description('undo the latest migration, naming the tables it drops and asking first (needs --yes without a terminal)')
    .addHelpText('after', examples('clinic db rollback', 'clinic db rollback --to 20260101000000', 'clinic db rollback --all --yes'))
    .addOption(new Option('--to <name>', 'undo every migration applied after NAME; NAME itself stays applied').conflicts('all'))
    .option('--all', 'undo every migration (drops all data)')
    .option('--force', 'allow it when CLINIC_ENV=production')
    .action(async (options) => {
      const { assertDestructionAllowed, planRollback, rollbackSchema } = await import('../../../domain/database/service.js');
      const { describeTarget } = await import('../../../db/target.js');
      assertDestructionAllowed({ environment: ctx.env.CLINIC_ENV, force: options.force === true, action: 'roll back migrations' });
      const domain = await ctx.anonymousDomain('none');
      const plan = await planRollback(domain, { to: options.to, all: options.all === true });
      const steps = plan.steps;
      if (steps.length === 0) {
        ctx.output.data({ rolledBack: [], dropped: [] }, () => 'Nothing to roll back.');
        return;
      }
      const what =
        steps.length === 1 ? steps[0]!.migration : `${steps.length} migrations (${steps[0]!.migration} back to ${steps[steps.length - 1]!.migration})`;
      const drops = describeDrops(steps.flatMap((step) => step.drops));
      const question = `Rolling back ${what} in the ${describeTarget(await ctx.target())} drops ${drops}.`;
      await ctx.prompter.confirm(question, ctx.globals.yes);
      const result = await rollbackSchema(domain, plan);
      ctx.output.data(result, () =>
        steps.map((step) => `rolled back ${step.migration}${step.drops.length > 0 ? ` (dropped ${describeDrops(step.drops)})` : ''}`).join('\n'),
      );
    });
}
