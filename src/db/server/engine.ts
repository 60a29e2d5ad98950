import type { Socket } from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

/**
 * Serves PGlite's single session to many PostgreSQL wire-protocol connections, one transaction
 * at a time. A client holds the engine from its first message until PGlite answers
 * ReadyForQuery with status idle ('I'): a whole simple query, a whole extended-protocol batch up
 * to Sync, a whole BEGIN…COMMIT, a whole COPY. Messages of other clients wait in their own queue
 * meanwhile, so their Parse/Bind/Execute never interleave with the holder's (which
 * @electric-sql/pglite-socket's multiplexer allows outside transactions). Between transactions
 * the clients take turns. A client that disconnects while holding the engine has its
 * transaction rolled back before anyone else runs.
 *
 * What clients must not rely on: session state (SET without LOCAL, temporary tables without
 * ON COMMIT DROP, advisory locks) is shared by all of them, as on one connection of a pooler in
 * transaction mode.
 */
export class Engine {
  private readonly clients: Client[] = [];
  private readonly tasks: Array<() => Promise<void>> = [];
  private holder: Client | undefined;
  private running = false;
  private nextId = 1;
  /** When the last client left (or the engine started): what the idle shutdown measures. */
  idleSince = Date.now();

  constructor(
    private readonly pglite: PGlite,
    private readonly log: (line: string) => void,
    /** Log one line of timings per connection when it closes (CLINIC_SERVER_TRACE=1: the bench's breakdown). */
    private readonly trace = false,
  ) {}

  get connections(): number {
    return this.clients.length;
  }

  /** Clients with a message waiting for another client's transaction to end. */
  get waiting(): number {
    return this.clients.filter((client) => client !== this.holder && client.pending.length > 0).length;
  }

  attach(socket: Socket): void {
    const client = new Client(this.nextId++, socket);
    this.clients.push(client);
    socket.on('data', (data: Buffer) => {
      const hadPending = client.pending.length > 0;
      if (!client.receive(data)) return void socket.destroy();
      if (!hadPending && client.pending.length > 0) client.stats.readySince = performance.now();
      this.kick();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.detach(client));
  }

  /** Ends every connection (their open transactions roll back) and waits until the engine is free. */
  async closeAll(): Promise<void> {
    for (const client of [...this.clients]) client.socket.destroy();
    for (const client of [...this.clients]) this.detach(client);
    while (this.running || this.holder) {
      this.kick();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  /** Runs `task` on PGlite between two transactions of the clients (the server's own reads). */
  between<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.tasks.push(() => task().then(resolve, reject));
      this.kick();
    });
  }

  private detach(client: Client): void {
    if (client.closed) return;
    client.closed = true;
    client.pending.length = 0;
    if (this.trace) this.log(traceLine(client));
    this.clients.splice(this.clients.indexOf(client), 1);
    if (this.clients.length === 0) this.idleSince = Date.now();
    this.kick();
  }

  private kick(): void {
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        if (this.holder?.closed) {
          await this.abandon(this.holder);
          continue;
        }
        const task = this.holder ? undefined : this.tasks.shift();
        if (task) {
          await task();
          continue;
        }
        const client = this.holder ?? this.longestWaiting();
        if (!client || client.pending.length === 0) break;
        if (client.pending[0]![0] === TERMINATE) {
          client.socket.end();
          this.detach(client);
          continue;
        }
        const { stats } = client;
        const began = performance.now();
        if (!stats.inTurn) {
          stats.inTurn = true;
          stats.turns++;
          stats.waitMs += Math.max(0, began - stats.readySince);
          stats.turnStart = began;
        }
        let response: Uint8Array;
        try {
          // NodeFS has nothing to sync (PGlite's syncToFs is a no-op there): every write already went to the file.
          response = await this.pglite.execProtocolRaw(client.takeBatch(), { syncToFs: false });
        } catch (error) {
          this.log(`connection ${client.id}: ${(error as Error).message}`);
          client.midBatch = true;
          client.socket.destroy();
          this.detach(client);
          continue;
        }
        const ended = performance.now();
        stats.calls++;
        stats.execMs += ended - began;
        if (!client.closed) client.socket.write(response);
        const status = lastReadyStatus(response);
        client.midBatch = status === undefined;
        if (status !== undefined) client.status = status;
        if (status === IDLE) {
          this.holder = undefined;
          stats.inTurn = false;
          stats.heldMs += ended - stats.turnStart;
          stats.readySince = ended;
        } else {
          this.holder = client;
        }
      }
    } finally {
      this.running = false;
    }
  }

  /**
   * Taking turns, first come first served: the next transaction goes to the client whose message
   * has waited longest, so none waits for more than one turn of each of the others.
   */
  private longestWaiting(): Client | undefined {
    let next: Client | undefined;
    for (const client of this.clients) {
      if (client.pending.length > 0 && (!next || client.stats.readySince < next.stats.readySince)) next = client;
    }
    return next;
  }

  /** The holder is gone: end its batch or COPY, then roll back what it left open. */
  private async abandon(client: Client): Promise<void> {
    this.holder = undefined;
    try {
      let status = client.status;
      if (client.midBatch) status = lastReadyStatus(await this.pglite.execProtocolRaw(COPY_FAIL_AND_SYNC)) ?? status;
      if (status !== IDLE) {
        await this.pglite.execProtocolRaw(ROLLBACK);
        this.log(`connection ${client.id} closed inside a transaction: rolled back`);
      }
    } catch (error) {
      this.log(`connection ${client.id}: rollback failed: ${(error as Error).message}`);
    }
  }
}

const TERMINATE = 0x58; // 'X'
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'
const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
const MAX_STARTUP_LENGTH = 10_000;

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(4 + body.length, 1);
  return Buffer.concat([header, body]);
}

// CopyFail is ignored outside COPY and Sync outside an extended batch: both are safe to send blind.
const COPY_FAIL_AND_SYNC = Buffer.concat([message('f', Buffer.from('client disconnected\0')), message('S', Buffer.alloc(0))]);
const ROLLBACK = message('Q', Buffer.from('ROLLBACK\0'));

/** The status byte of the last ReadyForQuery in a response, if it has one. */
function lastReadyStatus(response: Uint8Array): number | undefined {
  const view = Buffer.from(response.buffer, response.byteOffset, response.byteLength);
  let status: number | undefined;
  for (let offset = 0; offset + 5 <= view.length;) {
    const length = view.readInt32BE(offset + 1);
    if (view[offset] === READY_FOR_QUERY && offset + 5 < view.length) status = view[offset + 5];
    offset += 1 + length;
  }
  return status;
}

/** What one connection cost, in ms (performance.now()), for the trace. */
interface ClientStats {
  readonly connectedAt: number;
  /** Since when its first unserved message has waited (valid while it has one and is not in a turn). */
  readySince: number;
  inTurn: boolean;
  turnStart: number;
  /** Turns: from its first message after ReadyForQuery(idle) to the next one; a whole transaction is one. */
  turns: number;
  /** Calls into PGlite (a batch of messages up to Sync or a simple query is one). */
  calls: number;
  /** Waiting for other clients' turns. */
  waitMs: number;
  /** Inside PGlite. */
  execMs: number;
  /** Holding the engine: its calls plus, inside a transaction, the time it took to send the next message. */
  heldMs: number;
}

/** One connection: its bytes cut into whole protocol messages. */
class Client {
  readonly pending: Buffer[] = [];
  readonly stats: ClientStats = {
    connectedAt: performance.now(),
    readySince: 0,
    inTurn: false,
    turnStart: 0,
    turns: 0,
    calls: 0,
    waitMs: 0,
    execMs: 0,
    heldMs: 0,
  };
  /** The startup message's application_name (`clinic PID` from the CLI), for the trace. */
  applicationName = '';
  closed = false;
  /** Status of the last ReadyForQuery sent to it ('I', 'T' in a transaction, 'E' in a failed one). */
  status = IDLE;
  /** A message of its was answered without ReadyForQuery: a batch or a COPY is under way. */
  midBatch = false;
  private buffer: Buffer = Buffer.alloc(0);
  private started = false;

  constructor(
    readonly id: number,
    readonly socket: Socket,
  ) {}

  /** False when the bytes are not the PostgreSQL protocol (the connection is then dropped). */
  receive(data: Buffer): boolean {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    for (;;) {
      if (!this.started) {
        if (this.buffer.length < 8) return true;
        const length = this.buffer.readInt32BE(0);
        const code = this.buffer.readInt32BE(4);
        if (length < 8 || length > MAX_STARTUP_LENGTH) return false;
        if (this.buffer.length < length) return true;
        const startup = this.buffer.subarray(0, length);
        this.buffer = this.buffer.subarray(length);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          this.socket.write('N');
          continue;
        }
        // PGlite has no backend to signal: a cancel request is dropped, as the protocol allows.
        if (code === CANCEL_REQUEST) return false;
        if (code !== PROTOCOL_3) return false;
        this.started = true;
        this.applicationName = startupParameter(startup, 'application_name') ?? '';
        this.pending.push(startup);
        continue;
      }
      if (this.buffer.length < 5) return true;
      const length = this.buffer.readInt32BE(1);
      if (length < 4) return false;
      if (this.buffer.length < 1 + length) return true;
      this.pending.push(this.buffer.subarray(0, 1 + length));
      this.buffer = this.buffer.subarray(1 + length);
    }
  }

  /**
   * The messages to hand PGlite in one call: the first pending message and those after it up to
   * the first that ends with ReadyForQuery (Sync, a simple Query, CopyDone, CopyFail), so the
   * answer to a call tells whether the client's turn is over. PGlite runs a buffer of several
   * messages one after the other, as a server reads them from its socket. A startup message and
   * Terminate always go alone.
   */
  takeBatch(): Buffer {
    const first = this.pending[0]!;
    let count = 1;
    if (first[0] !== 0 && !BATCH_ENDS.has(first[0]!)) {
      while (count < this.pending.length) {
        const type = this.pending[count]![0]!;
        if (type === TERMINATE) break;
        count++;
        if (BATCH_ENDS.has(type)) break;
      }
    }
    const batch = this.pending.splice(0, count);
    return count === 1 ? batch[0]! : Buffer.concat(batch);
  }
}

// Sync, Query, CopyDone, CopyFail.
const BATCH_ENDS = new Set([0x53, 0x51, 0x63, 0x66]);

/** A parameter of a startup message (after its length and protocol version: name\0value\0 pairs). */
function startupParameter(startup: Buffer, name: string): string | undefined {
  const fields = startup.subarray(8).toString('utf8').split('\0');
  for (let index = 0; index + 1 < fields.length; index += 2) if (fields[index] === name) return fields[index + 1];
  return undefined;
}

function traceLine(client: Client): string {
  const { stats } = client;
  const ms = (value: number) => value.toFixed(1);
  return (
    `trace connection ${client.id} ${JSON.stringify(client.applicationName)}: turns ${stats.turns} calls ${stats.calls} ` +
    `wait ${ms(stats.waitMs)} exec ${ms(stats.execMs)} held ${ms(stats.heldMs)} life ${ms(performance.now() - stats.connectedAt)} ms`
  );
}
