import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { describeBackends } from '../support/database.js';
import { makeClinic, type Clinic } from '../support/factories.js';
import { hasPty, startOnPty } from '../support/pty.js';

/** The progress of an import on a real terminal: the rows read, then each phase on its own line, then the summary. */
describeBackends('import progress on a terminal', (db) => {
  let tmp: string;
  let clinic: Clinic;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-progress-'));
    clinic = await makeClinic(db().knex);
    const { token } = await createApiToken(db().context(clinic.admin), { name: 'progress' });
    env = { CLINIC_TOKEN: token, XDG_CONFIG_HOME: path.join(tmp, 'config'), NO_COLOR: '1' };
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it.skipIf(!hasPty)('shows reading, then checking and writing, and clears them before the summary', { timeout: 120_000 }, async () => {
    // 300 half-hour visits of one patient, on weekdays in 2099, within the doctor's 09:00–17:00.
    const lines = ['patient,doctor,date,time'];
    for (let day = DateTime.fromISO('2099-01-05'); lines.length <= 300; day = day.plus({ days: 1 })) {
      if (day.weekday > 5) continue;
      for (let slot = 0; slot < 16 && lines.length <= 300; slot++) {
        const minutes = 9 * 60 + slot * 30;
        lines.push(
          `${clinic.patient.username},${clinic.doctor.username},${day.toISODate()},${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`,
        );
      }
    }
    const file = path.join(tmp, 'visits.csv');
    await fs.writeFile(file, `${lines.join('\n')}\n`);
    const target =
      db().target.backend === 'embedded'
        ? ['--data-dir', (db().target as { dataDir: string }).dataDir]
        : ['--database-url', (db().target as { url: string }).url];
    const pty = startOnPty(['appointments', 'import', file, ...target], { env });
    const result = await pty.done;
    expect(result.code, result.screen).toBe(0);
    const screen = result.screen;
    const checking = screen.indexOf('Checking 300 appointments');
    const writing = screen.indexOf('Writing appointments');
    const summary = screen.indexOf('Imported 300 appointments');
    expect(checking, screen).toBeGreaterThanOrEqual(0);
    expect(writing).toBeGreaterThan(checking);
    expect(summary).toBeGreaterThan(writing);
    // the phase line is erased (carriage return, erase line) before the summary is printed
    expect(screen.slice(writing, summary)).toContain('\r\x1b[2K');
    expect(Number((await db().knex('appointments').where({ patient_id: clinic.patient.id }).count<{ n: string }[]>({ n: '*' }))[0]!.n)).toBe(300);
  });
});
