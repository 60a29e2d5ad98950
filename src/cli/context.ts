import type { Database, OpenOptions } from '../db/connect.js';
import type { DatabaseTarget } from '../db/target.js';
import type { DomainContext } from '../domain/context.js';
import type { Actor } from '../domain/policy.js';
import { DEFAULT_GLOBALS, type GlobalOptions } from './globals.js';
import type { IO } from './io.js';
import type { Output } from './output.js';
import { Prompter } from './prompter.js';
import type { ControllingTerminal } from './terminal.js';

/** What a run may be given from outside: tests inject their own streams, database and clock. */
export interface CliDeps {
  io: IO;
  env: NodeJS.ProcessEnv;
  /** An already-open database (tests); the run does not close it. */
  database?: Database;
  /** Skips session/token resolution (tests of one role at a time). */
  actor?: Actor | null;
  now?: () => Date;
  /** The controlling terminal (tests); by default this process's own, or null without one. */
  terminal?: ControllingTerminal | null;
}

export type StopReason = 'interrupted' | 'stdout-closed' | 'stdout-failed';

/**
 * The factory a command works with (cf. gh's cmdutil.Factory): everything heavy is built on
 * first use and released by `run` when the command ends.
 */
export class CliContext {
  globals: GlobalOptions = DEFAULT_GLOBALS;
  private outputInstance: Output | undefined;
  private database: Database | undefined;
  private readonly ownsDatabase: boolean;
  private readonly stopping = new AbortController();
  /** Who authenticated before a prompt: the reads made while it waits act as them. */
  private actorSeen: Actor | null | undefined;
  private briefReads: Promise<void> = Promise.resolve();
  private terminalFound: Promise<ControllingTerminal | null> | undefined;

  constructor(readonly deps: CliDeps) {
    this.database = deps.database;
    this.ownsDatabase = deps.database === undefined;
  }

  get io(): IO {
    return this.deps.io;
  }

  get env(): NodeJS.ProcessEnv {
    return this.deps.env;
  }

  /** Fired when the run must stop early; handed to the domain's long operations. */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  /** Why the run was told to stop, if it was: a signal (exit 130), or stdout closed by its reader (exit 0). */
  get stopReason(): StopReason | undefined {
    return this.stopping.signal.aborted ? (this.stopping.signal.reason as StopReason) : undefined;
  }

  stop(reason: StopReason): void {
    if (!this.stopping.signal.aborted) this.stopping.abort(reason);
  }

  now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The terminal whose session this command uses (null: the session of commands without a terminal). */
  terminal(): Promise<ControllingTerminal | null> {
    this.terminalFound ??=
      this.deps.terminal !== undefined ? Promise.resolve(this.deps.terminal) : import('./terminal.js').then(({ controllingTerminal }) => controllingTerminal());
    return this.terminalFound;
  }

  /** Called before each action, once the options are parsed. */
  async prepare(globals: GlobalOptions): Promise<void> {
    this.globals = globals;
    const { Output } = await import('./output.js');
    this.outputInstance = await Output.create(this.io, globals, this.env);
  }

  get output(): Output {
    if (!this.outputInstance) throw new Error('output used before the command was prepared');
    return this.outputInstance;
  }

  get prompter(): Prompter {
    return new Prompter(this.io, this.globals.input);
  }

  async target(): Promise<DatabaseTarget> {
    if (this.database) return this.database.target;
    if (this.globals.databaseUrl !== undefined && this.globals.dataDir !== undefined) {
      const { UsageError } = await import('./usage-error.js');
      throw new UsageError('--database-url and --data-dir name two different databases; give one of them.');
    }
    const { resolveTarget } = await import('../db/target.js');
    return resolveTarget({ databaseUrl: this.globals.databaseUrl, dataDir: this.globals.dataDir }, this.env);
  }

  /** The database for this command, opened on first use. `schema: 'none'` is for the `db` commands. */
  async db(schema: OpenOptions['schema'] = 'auto'): Promise<Database> {
    if (this.database) return this.database;
    const { openDatabase } = await import('../db/connect.js');
    const { describeTarget } = await import('../db/target.js');
    const target = await this.target();
    this.database = await openDatabase(target, {
      schema,
      env: this.env,
      lockTimeoutMs: this.globals.lockTimeout * 1000,
      ...(this.globals.debug ? { onStatement: (sql: string) => this.io.stderr.write(`[sql] ${sql.replace(/\s+/g, ' ')}\n`) } : {}),
      onLockWait: (_pid, holder) =>
        this.io.stderr.write(`Waiting for the ${describeTarget(target)}: in use by another clinic process ${holder} (up to ${this.globals.lockTimeout} s)…\n`),
    });
    return this.database;
  }

  /** A domain context without an actor: for set-up commands and login itself. */
  async anonymousDomain(schema: OpenOptions['schema'] = 'auto'): Promise<DomainContext> {
    const database = await this.db(schema);
    return {
      db: database.knex,
      actor: null,
      backend: database.target.backend,
      now: () => this.now(),
      signal: this.signal,
    };
  }

  /** A domain context acting as the logged-in user (session file or CLINIC_TOKEN). */
  async domain(): Promise<DomainContext> {
    const anonymous = await this.anonymousDomain();
    let domain: DomainContext;
    if (this.deps.actor !== undefined) {
      domain = { ...anonymous, actor: this.deps.actor };
    } else {
      const { authenticate } = await import('./auth.js');
      const { actor, settings } = await authenticate(this, anonymous);
      domain = { ...anonymous, actor, settings };
    }
    // Human output shows instants on the clinic's wall clock (read with the session when there is one).
    const { clinicTimeZone } = await import('../domain/settings/service.js');
    this.outputInstance?.setClinicZone(await clinicTimeZone(domain));
    return domain;
  }

  /**
   * Lets go of the database (the connection, and with it the embedded server) until the next use:
   * before a prompt, so that nothing is held while someone types. An injected database stays open.
   */
  async release(): Promise<void> {
    if (!this.ownsDatabase || !this.database) return;
    const database = this.database;
    this.database = undefined;
    await database.close();
  }

  /** "Not logged in" before any question rather than after the answers; holds nothing afterwards. */
  async ensureLoggedIn(): Promise<void> {
    if (this.actorSeen !== undefined) return;
    this.actorSeen = (await this.domain()).actor;
    await this.release();
  }

  /**
   * A read made while a prompt waits (the matches of a search): the database is opened for it and
   * released after, and the read acts as the actor this command authenticated before asking.
   * Reads run one after another (a search starts one per keystroke): none closes another's database.
   */
  async briefly<T>(read: (domain: DomainContext) => Promise<T>): Promise<T> {
    const turn = this.briefReads.then(() => this.readBriefly(read));
    this.briefReads = turn.then(
      () => {},
      () => {},
    );
    return turn;
  }

  private async readBriefly<T>(read: (domain: DomainContext) => Promise<T>): Promise<T> {
    try {
      const domain = this.actorSeen ? { ...(await this.anonymousDomain()), actor: this.actorSeen } : await this.domain();
      this.actorSeen = domain.actor;
      return await read(domain);
    } finally {
      await this.release();
    }
  }

  async close(): Promise<void> {
    if (this.ownsDatabase) await this.database?.close();
  }
}
