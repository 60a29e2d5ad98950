import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderSettings } from './render.js';

export function settingsSetCommand(ctx: CliContext) {
  return new Command('set')
    .description('change a setting: timezone ZONE | session-idle-minutes N | session-absolute-hours N | server-idle-minutes N (admin)')
    .argument('<key>', 'timezone, session-idle-minutes, session-absolute-hours or server-idle-minutes')
    .argument('<value>', 'the new value')
    .action(async (key, value) => {
      const { updateSetting } = await import('../../../domain/settings/service.js');
      const settings = await updateSetting(await ctx.domain(), { key, value });
      ctx.output.success(`Set ${key} to ${value}.`);
      renderSettings(ctx.output, settings);
    });
}
