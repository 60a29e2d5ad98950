import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderSettings } from './render.js';

export function settingsShowCommand(ctx: CliContext) {
  return new Command('show').description('show the clinic settings').action(async () => {
    const { showSettings } = await import('../../../domain/settings/service.js');
    renderSettings(ctx.output, await showSettings(await ctx.domain()));
  });
}
