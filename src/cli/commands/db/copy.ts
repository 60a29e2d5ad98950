import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { UsageError } from '../../usage-error.js';
import { examples } from '../../help.js';

export function dbCopyCommand(ctx: CliContext) {
  return new Command('copy')
    .description('copy this database (embedded or PostgreSQL) into an empty, migrated one, and verify it')
    .addHelpText(
      'after',
      examples(
        'clinic db copy --to postgres://clinic@db.example/clinic',
        'clinic db copy --to-data-dir ~/clinic-copy',
        'clinic db copy --database-url postgres://clinic@old.example/clinic --to postgres://clinic@new.example/clinic',
      ),
    )
    .option('--to <url>', 'the target PostgreSQL database URL')
    .option('--to-data-dir <dir>', 'the target embedded data directory instead (new or empty)')
    .addHelpText(
      'after',
      '\nThe target gets every row (password hashes and API tokens included) with row counts and the audit chain checked.\nSessions are not copied: log in again after switching.',
    )
    .action(async (options) => {
      if ((options.to === undefined) === (options.toDataDir === undefined))
        throw new UsageError('Give the target: --to URL (PostgreSQL) or --to-data-dir DIR (embedded).');
      const [{ copyDatabase }, { resolveTarget, describeTarget, targetKey, redactUrl }, { openDatabase }] = await Promise.all([
        import('../../../domain/database/copy.js'),
        import('../../../db/target.js'),
        import('../../../db/connect.js'),
      ]);
      const source = await ctx.anonymousDomain();
      const sourceTarget = await ctx.target();
      const target = resolveTarget({ databaseUrl: options.to, dataDir: options.toDataDir }, {});
      if (targetKey(target) === targetKey(sourceTarget)) throw new UsageError(`The target is the current database (${describeTarget(target)}).`);
      const opened = await openDatabase(target, {
        schema: target.backend === 'embedded' ? 'auto' : 'none',
        env: ctx.env,
        lockTimeoutMs: ctx.globals.lockTimeout * 1000,
      });
      try {
        const summary = await copyDatabase(
          source,
          { db: opened.knex, actor: null, backend: target.backend, now: () => ctx.now(), signal: ctx.signal },
          describeTarget(target),
        );
        const rows = Object.values(summary.tables).reduce((a, b) => a + b, 0);
        const switchTo = target.backend === 'postgres' ? `CLINIC_DATABASE_URL=${redactUrl(target.url)}` : `CLINIC_DATA_DIR=${target.dataDir}`;
        ctx.output.data({ ...summary, target: describeTarget(target), switchWith: switchTo }, () =>
          [
            `Copied ${rows} rows to ${describeTarget(target)}; row counts match and the audit chain is intact.`,
            `To switch, set ${switchTo}${target.backend === 'postgres' && redactUrl(target.url) !== target.url ? ' (with the real password)' : ''}${sourceTarget.backend === 'postgres' && target.backend === 'embedded' ? ' and unset CLINIC_DATABASE_URL' : ''}.`,
            'Everyone logs in again there; API tokens keep working.',
          ].join('\n'),
        );
      } finally {
        await opened.close();
      }
    });
}
