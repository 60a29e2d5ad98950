import { openDatabase, type Database } from '../../src/db/connect.js';
import { migrateLatest } from '../../src/db/migrations.js';

/** Opens a bench PostgreSQL database through the product's own connection factory. */
export async function openPostgres(url: string): Promise<Database> {
  return openDatabase({ backend: 'postgres', url }, { schema: 'none' });
}

/** Creates the product's schema with the product's own migrations. */
export async function migratePostgres(url: string): Promise<void> {
  const database = await openPostgres(url);
  try {
    await migrateLatest(database.knex);
  } finally {
    await database.close();
  }
}
