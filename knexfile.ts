// Lets `npm run knex -- migrate:latest` (the knex CLI under tsx) run the product's own migrations
// against the database clinic would use: --database-url is not known here, so CLINIC_DATABASE_URL,
// DATABASE_URL, else the embedded data directory (CLINIC_DATA_DIR or the default).
import type { Knex } from 'knex';
import { migrationConfig } from './src/db/migrations.js';
import { resolveTarget } from './src/db/target.js';

const target = resolveTarget({}, process.env);

// The embedded database is reached through its server, like every command reaches it (`pg` on
// the server's socket), so the extensions and the lock are the server's.
async function embeddedConnection(dataDir: string): Promise<Knex.PgConnectionConfig> {
  const { ensureServer } = await import('./src/db/server/client.js');
  const { SOCKET_PORT } = await import('./src/db/server/paths.js');
  const paths = await ensureServer(dataDir, { timeoutMs: 30_000, env: process.env });
  return { host: paths.runDir, port: SOCKET_PORT, user: 'postgres', database: 'postgres' };
}

const config: Knex.Config = {
  client: 'pg',
  connection: target.backend === 'postgres' ? target.url : await embeddedConnection(target.dataDir),
  migrations: migrationConfig,
};

export default config;
