import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';

/** Runs a multi-statement script on an embedded data directory (no clinic process may hold it). */
export async function execOnDataDir(dataDir: string, sql: string): Promise<void> {
  const pglite = await PGlite.create(dataDir, { extensions: { btree_gist, citext, unaccent, pg_trgm } });
  try {
    await pglite.exec(sql);
  } finally {
    await pglite.close();
  }
}
