/** What `clinic db seed` and `clinic init --demo` call. */
export { seedDatabase, assertSeedAllowed, type SeedOptions, type SeedSummary } from './seed.js';
export { seedDemoClinic, type DemoAccount, type DemoSummary } from './demo.js';
