// Lets `npm run knex -- migrate:latest` (the knex CLI under tsx) run the product's own migrations
// against the database clinic would use: --database-url is not known here, so CLINIC_DATABASE_URL,
// DATABASE_URL, else the embedded data directory.
import type { Knex } from 'knex';
import { migrationConfig } from './src/db/migrations.js';
import { resolveTarget } from './src/db/target.js';

const target = resolveTarget({}, process.env);

const config: Knex.Config =
  target.backend === 'postgres'
    ? { client: 'pg', connection: target.url, migrations: migrationConfig }
    : {
        client: (await import('knex-pglite')).default as unknown as typeof Knex.Client,
        connection: { filename: target.dataDir } as Knex.StaticConnectionConfig,
        migrations: migrationConfig,
      };

export default config;
