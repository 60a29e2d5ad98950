// `npm run knex -- seed:run` loads the demo clinic through the same code as `clinic db seed --demo`
// (deterministic, added once; set CLINIC_SEED for another seed). The generated passwords are printed.
import type { Knex } from 'knex';
import { seedDemoClinic } from '../src/domain/seed/demo.js';
import { assertSeedAllowed } from '../src/domain/seed/seed.js';

export async function seed(knex: Knex): Promise<void> {
  assertSeedAllowed({ force: process.env.CLINIC_SEED_FORCE === '1', environment: process.env.CLINIC_ENV });
  const backend = knex.client.config.client === 'pg' ? 'postgres' : 'embedded';
  const summary = await seedDemoClinic({ db: knex, actor: null, backend, now: () => new Date() }, { seed: Number(process.env.CLINIC_SEED ?? 1) });
  console.log(JSON.stringify(summary, null, 2));
}
