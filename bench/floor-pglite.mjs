// The floor of the embedded engine: a bare Node process that opens a PGlite data directory with the
// same PGlite.create options as the product's server (src/db/pglite.ts), runs one query,
// prints its rows as JSON and closes (checkpoint included, as the product does).
// No knex, no CLI, no lock, no migration check: whatever `clinic` costs beyond this is the product's.
//
//   node bench/floor-pglite.mjs DATA_DIR [SQL] [PARAMS_JSON]
import { PGlite } from '@electric-sql/pglite';
import { btree_gist } from '@electric-sql/pglite/contrib/btree_gist';
import { citext } from '@electric-sql/pglite/contrib/citext';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';

const [dataDir, sql = 'SELECT 1 AS one', params = '[]'] = process.argv.slice(2);
if (!dataDir) {
  process.stderr.write('usage: node bench/floor-pglite.mjs DATA_DIR [SQL] [PARAMS_JSON]\n');
  process.exit(2);
}
const DATE_OID = 1082;
const pglite = await PGlite.create(dataDir, {
  extensions: { btree_gist, citext, unaccent, pg_trgm },
  parsers: { [DATE_OID]: (value) => value },
});
try {
  const result = await pglite.query(sql, JSON.parse(params));
  process.stdout.write(`${JSON.stringify(result.rows)}\n`);
} finally {
  await pglite.close();
}
