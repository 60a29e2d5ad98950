import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderSettings } from './render.js';
import { examples } from '../../help.js';

export function settingsSetCommand(ctx: CliContext) {
  return new Command('set')
    .description('change a setting: timezone ZONE | session-idle-minutes N | session-absolute-hours N | server-idle-minutes N (admin)')
    .addHelpText(
      'after',
      examples('clinic settings set timezone Europe/Lisbon', 'clinic settings set session-idle-minutes 30', 'clinic settings set server-idle-minutes 5'),
    )
    .argument('<key>', 'timezone, session-idle-minutes, session-absolute-hours or server-idle-minutes')
    .argument('<value>', 'the new value')
    .action(async (key, value) => {
      const { describeTimeZoneChange, previewTimeZoneChange, updateSetting } = await import('../../../domain/settings/service.js');
      const domain = await ctx.domain();
      let acceptTimeZoneChange = false;
      if (key === 'timezone') {
        const change = await previewTimeZoneChange(domain, value);
        if (change.from !== change.to && change.futureAppointments > 0) {
          const consequence = describeTimeZoneChange(change);
          if (ctx.globals.yes || !ctx.prompter.canPrompt) {
            // --yes: say what happened; neither --yes nor a terminal: a usage error naming --yes, with the consequence.
            await ctx.prompter.confirm(consequence, ctx.globals.yes);
            ctx.output.notice(consequence);
          } else {
            ctx.output.aside(consequence);
            await ctx.prompter.confirm(`Change the time zone to ${change.to}?`, false);
          }
          acceptTimeZoneChange = true;
        }
      }
      const settings = await updateSetting(domain, { key, value, acceptTimeZoneChange });
      ctx.output.success(`Set ${key} to ${value}.`);
      renderSettings(ctx.output, settings);
    });
}
