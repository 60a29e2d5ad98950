import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderSettings } from './render.js';
import { examples } from '../../help.js';

export function settingsShowCommand(ctx: CliContext) {
  return new Command('show')
    .description('show the clinic settings')
    .addHelpText('after', examples('clinic settings show', 'clinic settings show --json'))
    .action(async () => {
      const { showSettings } = await import('../../../domain/settings/service.js');
      renderSettings(ctx.output, await showSettings(await ctx.domain()));
    });
}
