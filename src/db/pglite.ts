import fs from 'node:fs/promises';
import type { PGlite } from '@electric-sql/pglite';

/**
 * The one PGlite configuration: the extensions the migrations need. Only the embedded server
 * (src/db/server) opens PGlite; commands, the knexfile and the tests reach it through `pg`.
 */
export async function openPglite(dataDir: string): Promise<PGlite> {
  const [{ PGlite }, { btree_gist }, { citext }, { unaccent }, { pg_trgm }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/btree_gist'),
    import('@electric-sql/pglite/contrib/citext'),
    import('@electric-sql/pglite/contrib/unaccent'),
    import('@electric-sql/pglite/contrib/pg_trgm'),
  ]);
  await fs.mkdir(dataDir, { recursive: true, mode: 0o700 });
  return PGlite.create(dataDir, { extensions: { btree_gist, citext, unaccent, pg_trgm } });
}
