import { Command } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { examples } from '../../help.js';
import { UsageError } from '../../usage-error.js';

/** `db server status|stop`: the background server that owns an embedded data directory (README, Backends). */
export function dbServerCommand(ctx: CliContext) {
  return new Command('server')
    .description('the background server of the embedded database: status, stop')
    .addHelpText('after', examples('clinic db server status', 'clinic db server stop', 'clinic db server status --data-dir ~/clinic-test --json'))
    .addCommand(
      new Command('status')
        .description('show whether the server runs: pid, data directory, uptime, connections, memory')
        .addHelpText('after', examples('clinic db server status', 'clinic db server status --data-dir ~/clinic-test --json'))
        .action(async () => {
          const dataDir = await embeddedDataDir(ctx);
          const { serverStatus } = await import('../../../db/server/client.js');
          const status = await serverStatus(dataDir, ctx.env);
          const record = status ? { running: true, ...status } : { running: false, dataDir };
          ctx.output.record(record, [
            ['Data directory', dataDir],
            ['Server', status ? `running (pid ${status.pid})` : 'not running (the next command starts it)'],
            ...(status
              ? ([
                  ['Socket', status.socket],
                  ['Up since', `${ctx.output.when(new Date(status.startedAt))} (${uptime(status.uptimeSeconds)})`],
                  ['Connections', `${status.connections}${status.waiting ? ` (${status.waiting} waiting for a transaction to end)` : ''}`],
                  ['Memory', `${Math.round(status.residentBytes / (1024 * 1024))} MB resident`],
                  ['Stops when idle for', `${status.idleTimeoutSeconds} s`],
                ] as const)
              : []),
          ]);
        }),
    )
    .addCommand(
      new Command('stop')
        .description('stop the server (open transactions roll back; the database is checkpointed)')
        .addHelpText('after', examples('clinic db server stop', 'clinic db server stop --data-dir ~/clinic-test'))
        .action(async () => {
          const dataDir = await embeddedDataDir(ctx);
          const { stopServer } = await import('../../../db/server/client.js');
          const status = await stopServer(dataDir, ctx.env, ctx.globals.lockTimeout * 1000);
          ctx.output.data({ stopped: status !== undefined, pid: status?.pid ?? null, dataDir }, () =>
            status ? `Stopped the server of ${dataDir} (pid ${status.pid}).` : `No server runs for ${dataDir}.`,
          );
        }),
    );
}

async function embeddedDataDir(ctx: CliContext): Promise<string> {
  const target = await ctx.target();
  if (target.backend !== 'embedded') throw new UsageError('`db server` is about the embedded database; this command names a PostgreSQL server.');
  return target.dataDir;
}

/** 45 s, 12 min, 2 h 05 min: how long the server has been up, as a person reads it. */
function uptime(seconds: number): string {
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
