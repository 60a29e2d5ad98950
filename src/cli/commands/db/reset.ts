import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';

export function dbResetCommand(ctx: CliContext) {
  return new Command('reset').description('drop all data and rebuild the schema (needs --yes without a terminal)').action(async () => {
    const { describeTarget } = await import('../../../db/target.js');
    const target = await ctx.target();
    if (!(await ctx.prompter.confirm(`This deletes ALL data in the ${describeTarget(target)}.`, ctx.globals.yes))) return;
    const { resetSchema } = await import('../../../domain/database/service.js');
    const result = await resetSchema(await ctx.anonymousDomain('none'));
    ctx.output.data(result, () => `Reset: dropped ${result.rolledBack.length} and applied ${result.migrated.length} migrations.`);
  });
}
