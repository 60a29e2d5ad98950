// Runs the built CLI as the actor in CLINIC_TEST_ACTOR (JSON: id, username, role), without a session.
import { createRequire } from 'node:module';

const { run } = createRequire(import.meta.url)('../dist/clinic.cjs');

process.exitCode = await run(process.argv, {
  io: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
  env: process.env,
  actor: JSON.parse(process.env.CLINIC_TEST_ACTOR),
});
