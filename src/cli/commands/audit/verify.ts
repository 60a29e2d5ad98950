import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { examples } from '../../help.js';

export function auditVerifyCommand(ctx: CliContext) {
  return new Command('verify')
    .description("check the audit log's hash chain (admin); exit 9 when it is broken")
    .addHelpText('after', examples('clinic audit verify', 'clinic audit verify --json'))
    .action(async () => {
      const { verifyAuditChain, assertAuditChainIntact } = await import('../../../domain/audit/verify.js');
      const report = await verifyAuditChain(await ctx.domain());
      // A broken chain: the report on stdout (--json), the finding as the error on stderr.
      ctx.output.data(report, () => (report.ok ? `Audit log intact: ${report.rows} rows, chain head ${report.head}.` : ''));
      assertAuditChainIntact(report);
    });
}
