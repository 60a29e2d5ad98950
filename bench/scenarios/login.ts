import { ADMIN_PASSWORD, ADMIN_USERNAME, clinicUser, initClinic, missingCommand } from '../lib/clinic-env.js';
import { ROOT, clinicProcess, measureInterleaved, nodeProcess } from '../lib/proc.js';
import { skippedSection, type Section } from '../lib/report.js';
import type { Scenario } from '../lib/scenario.js';
import { formatMs } from '../lib/stats.js';

/** A bare process that checks one password against a cost-12 bcrypt hash: the floor of any login. */
const BCRYPT_FLOOR = `
const bcrypt = require(${JSON.stringify(`${ROOT}node_modules/bcrypt`)});
const hash = bcrypt.hashSync('x', 4).replace('$04$', '$12$');
bcrypt.compareSync(process.argv[1], hash);
`;

/** Scenario 4: logging in from a script (bcrypt cost 12 dominates by design). */
export const login: Scenario = {
  id: 'login',
  title: '4. login --password-stdin',
  target: 'report it (bcrypt cost 12 is deliberately slow); a bare bcrypt compare at cost 12 is the floor.',
  async run(ctx): Promise<Section> {
    const url = ctx.resources.createDatabase('login');
    const user = clinicUser(ctx.resources, 'login', { url });
    const missing = (await missingCommand(user, ['init'])) ?? (await missingCommand(user, ['login']));
    if (missing) return skippedSection(this.id, this.title, this.target, missing);

    const { migratePostgres } = await import('../lib/schema.js');
    await migratePostgres(url);
    await initClinic(user);

    const label = `clinic login --username ${ADMIN_USERNAME} --password-stdin`;
    const floorLabel = 'floor: node + one bcrypt compare (cost 12)';
    const results = await measureInterleaved(
      {
        'node -e 0': nodeProcess(['-e', '0'], { env: user.env }),
        [floorLabel]: nodeProcess(['-e', BCRYPT_FLOOR, ADMIN_PASSWORD], { env: user.env }),
        [label]: clinicProcess(['login', '--username', ADMIN_USERNAME, '--password-stdin', '--no-input'], {
          env: user.env,
          input: `${ADMIN_PASSWORD}\n`,
        }),
      },
      { runs: ctx.runs ?? 10, warmup: 1 },
    );
    const product = results[label]!;
    const floor = results[floorLabel]!;
    return {
      id: this.id,
      title: this.title,
      target: this.target,
      rows: [
        { label: 'node -e 0', measurement: results['node -e 0']! },
        { label: floorLabel, measurement: floor, baseline: 'node -e 0' },
        { label, measurement: product, baseline: floorLabel },
      ],
      verdicts: [
        `login takes ${formatMs(product.wall.median)} wall (${formatMs(product.cpu.median)} CPU), ` +
          `${formatMs(product.wall.median - floor.wall.median)} more than the bcrypt floor: the rest is the database round trips, the session write and the audit row.`,
      ],
      details: 'On PostgreSQL, an admin created by `clinic init`; every run is a successful login that opens a new session.',
    };
  },
};
