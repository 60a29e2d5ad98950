import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { renderIdentity } from './render.js';
import { examples } from '../../help.js';

export function whoamiCommand(ctx: CliContext) {
  return new Command('whoami')
    .description('show who this terminal (or CLINIC_TOKEN) is logged in as, and which session is in use')
    .addHelpText('after', examples('clinic whoami', 'clinic whoami --json', 'CLINIC_TOKEN=clinic_pat_... clinic whoami'))
    .action(async () => {
      const { authenticate } = await import('../../auth.js');
      const { whoAmI } = await import('../../../domain/identity/whoami.js');
      const { describeTarget } = await import('../../../db/target.js');
      const domain = await ctx.anonymousDomain();
      const authentication = await authenticate(ctx, domain);
      // The session's end on the clinic's wall clock, as every other instant a person reads.
      const { clinicTimeZone } = await import('../../../domain/settings/service.js');
      ctx.output.setClinicZone(await clinicTimeZone({ db: domain.db, settings: authentication.settings }));
      const terminal = await ctx.terminal();
      renderIdentity(ctx.output, await whoAmI(domain, authentication, { database: describeTarget(await ctx.target()), terminal: terminal?.device ?? null }));
    });
}
