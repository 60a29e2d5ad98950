import { withActor, type DomainContext } from '../context.js';
import { ConflictError, ValidationError } from '../errors.js';
import { recordAudit } from '../audit/record.js';
import { storeInitialTimeZone } from '../settings/service.js';
import { inTransaction } from '../transaction.js';
import { isValidTimeZone, systemTimeZone } from '../clinic-time.js';
import { createAccount } from '../users/accounts.js';
import { userView, type UserView } from '../users/view.js';
import { assertSchemaUsable, migrateLatest, migrationStatus } from '../../db/migrations.js';
import { countAdmins, lockUsersForAdminChange } from '../../db/repositories/users.js';
import type { DemoSummary } from '../seed/demo.js';
import { generatePassword } from './passwords.js';
import { actorOf, startSession } from './sessions.js';

const unknownTimeZone = (zone: string) =>
  new ValidationError(`Unknown time zone "${zone}".`, { remedy: 'Use an IANA name such as Europe/Lisbon or America/New_York.' });

const alreadyInitialized = () =>
  new ConflictError('This clinic is already set up: an admin account exists.', { remedy: 'Run `clinic login` instead.', reason: 'ALREADY_EXISTS' });

/**
 * The first step of `clinic init`, before anything is asked: the schema is brought up to date (on
 * both backends) and a database that already has an admin is refused.
 */
export async function prepareClinic(ctx: DomainContext, input: { timezone?: string | undefined } = {}): Promise<{ migrated: string[] }> {
  if (input.timezone !== undefined && !isValidTimeZone(input.timezone)) throw unknownTimeZone(input.timezone);
  // Only migrate when something is pending: the application role may read, not take, the migrations lock.
  const status = await migrationStatus(ctx.db);
  assertSchemaUsable(status);
  const migrated = status.pending.length > 0 ? await migrateLatest(ctx.db) : [];
  if ((await countAdmins(ctx.db)) > 0) throw alreadyInitialized();
  return { migrated };
}

export interface InitializeInput {
  /** default: the system's time zone */
  timezone?: string | undefined;
  adminUsername: string;
  adminFullName: string;
  adminPassword: string;
}

export interface InitializedClinic {
  timezone: string;
  admin: UserView;
  /** the new admin's session: `clinic init` logs the terminal in */
  session: { token: string; expiresAt: Date };
}

/** Stores the time zone, creates the first admin and starts their session, all in one transaction. */
export async function initializeClinic(ctx: DomainContext, input: InitializeInput): Promise<InitializedClinic> {
  const timezone = input.timezone ?? systemTimeZone();
  return inTransaction(ctx, async (trx) => {
    await lockUsersForAdminChange(trx);
    if ((await countAdmins(trx)) > 0) throw alreadyInitialized();
    await storeInitialTimeZone(trx, timezone);
    const admin = await createAccount(trx, { username: input.adminUsername, fullName: input.adminFullName, role: 'admin', password: input.adminPassword });
    const actor = actorOf(admin);
    await recordAudit(trx, actor, { action: 'clinic.init', entity: 'settings', entityId: 'timezone', details: { timezone } });
    await recordAudit(trx, actor, {
      action: 'users.create',
      entity: 'user',
      entityId: admin.id,
      details: { username: admin.username, role: 'admin', withPassword: true },
    });
    const session = await startSession(trx, admin.id, ctx.now());
    await recordAudit(trx, actor, { action: 'session.login', entity: 'user', entityId: admin.id, details: { via: 'init' } });
    return { timezone, admin: userView(admin), session };
  });
}

/** The first admin as the caller gathered it (flags, prompts, defaults); a null password: generate one, shown once. */
export interface AdminAnswers {
  /** the clinic's zone, when asked (else the input's, else the system's) */
  timezone?: string | undefined;
  username: string;
  fullName: string;
  password: string | null;
}

export interface SetUpInput {
  timezone?: string | undefined;
  /** also load the demo clinic (refused when `environment` is production) */
  demo: boolean;
  /** CLINIC_ENV, as the caller read it */
  environment: string | undefined;
  /** asked once the database is ready and has no admin */
  askAdmin: () => Promise<AdminAnswers>;
  /** called before asking, so that nothing is held while someone types; `open` is called again after */
  release?: () => Promise<void>;
  /** called as soon as the admin's session exists, before the demo is loaded, so that a failed demo leaves the admin logged in */
  keepSession: (session: InitializedClinic['session']) => Promise<void>;
}

export interface ClinicSetUp extends InitializedClinic {
  /** the demo clinic, with every account that got a password now (the admin's too when generated) */
  demo?: DemoSummary;
}

/**
 * `clinic init`: refuses a demo in production before opening the database, brings the schema up
 * to date, asks for the first admin, creates them with their session, and optionally loads the
 * demo clinic as that admin.
 */
export async function setUpClinic(open: () => Promise<DomainContext>, input: SetUpInput): Promise<ClinicSetUp> {
  if (input.demo) {
    const { assertSeedAllowed } = await import('../seed/seed.js');
    assertSeedAllowed({ force: false, environment: input.environment });
  }
  await prepareClinic(await open(), { timezone: input.timezone });
  await input.release?.();
  const answers = await input.askAdmin();
  const timezone = answers.timezone ?? input.timezone;
  if (timezone !== undefined && !isValidTimeZone(timezone)) throw unknownTimeZone(timezone);
  const generatedPassword = answers.password === null ? generatePassword() : undefined;
  // initializeClinic checks again, under a lock, that no admin appeared while the questions were answered.
  const ctx = await open();
  const clinic = await initializeClinic(ctx, {
    timezone,
    adminUsername: answers.username,
    adminFullName: answers.fullName,
    adminPassword: answers.password ?? generatedPassword!,
  });
  await input.keepSession(clinic.session);
  if (!input.demo) return clinic;
  const { seedDemoClinic } = await import('../seed/demo.js');
  const demo = await seedDemoClinic(withActor(ctx, actorOf(clinic.admin)));
  const adminAccount = generatedPassword ? [{ username: clinic.admin.username, role: clinic.admin.role, password: generatedPassword }] : [];
  return { ...clinic, demo: { ...demo, accounts: [...adminAccount, ...demo.accounts] } };
}
