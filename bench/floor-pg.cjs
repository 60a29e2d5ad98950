// The floor of a PostgreSQL command: pg alone connects (CLINIC_DATABASE_URL, or a socket directory
// and port), runs one query, prints its rows as JSON and disconnects. No knex, no CLI, no session,
// no schema check. bench/lib/floors.ts bundles it with the product's pg patches and runs it through
// the product's launcher technique (bin/code-cache.js), so whatever `clinic` costs beyond this is
// the product's own.
//
//   run([node, script, SQL])   with CLINIC_DATABASE_URL set, or FLOOR_SOCKET_DIR and FLOOR_SOCKET_PORT
'use strict';
const pg = require('pg');

exports.run = async function run(argv) {
  const sql = argv[2];
  const env = process.env;
  const config = env.FLOOR_SOCKET_DIR
    ? { host: env.FLOOR_SOCKET_DIR, port: Number(env.FLOOR_SOCKET_PORT), user: 'postgres', database: 'postgres' }
    : { connectionString: env.CLINIC_DATABASE_URL };
  const client = new pg.Client(config);
  await client.connect();
  try {
    const result = await client.query(sql);
    process.stdout.write(`${JSON.stringify(result.rows)}\n`);
  } finally {
    await client.end();
  }
};
