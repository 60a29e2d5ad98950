import { spawn, spawnSync } from 'node:child_process';
import { CLINIC_BIN, childEnv } from './spawn.js';

/** Whether python3 and its pty module are here to drive a real pseudo-terminal. */
export const hasPty = spawnSync('python3', ['-c', 'import pty'], { encoding: 'utf8' }).status === 0;

export interface PtyResult {
  /** everything the terminal showed (stdout and stderr together, as on a screen) */
  screen: string;
  code: number;
}

/**
 * Runs the built binary on a real pseudo-terminal of `rows`×`columns` (python's pty module):
 * for each [marker, keys] step, waits until the screen shows the marker, then types the keys; a
 * third element waits that many ms more first (a program that discards what was typed before it
 * got there, as less does after Ctrl-C), and a fourth types the keys again every that many ms until
 * the program ends (one that may drop them however long it is given, as less on a loaded machine).
 * A program still running 60 s after the last step is killed (code -9) and its screen returned.
 */
export function runOnPty(
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    steps?: ReadonlyArray<readonly [string, string] | readonly [string, string, number] | readonly [string, string, number, number]>;
    rows?: number;
    columns?: number;
    timeoutMs?: number;
  } = {},
): PtyResult {
  const driver = `
import fcntl, json, os, pty, select, struct, sys, termios, time
argv = json.loads(sys.argv[1]); steps = json.loads(sys.argv[2]); rows, cols = int(sys.argv[3]), int(sys.argv[4])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(sys.stdin.fileno(), termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.execv(argv[0], argv)
out = b''
def read_until(marker, seconds):
    # reads until the marker shows, the terminal closes (returns True) or the time is up
    global out
    end = time.time() + seconds
    while marker is None or marker not in out:
        left = end - time.time()
        if left <= 0: return False
        ready, _, _ = select.select([fd], [], [], left)
        if not ready: return False
        try: chunk = os.read(fd, 65536)
        except OSError: return True
        if not chunk: return True
        out += chunk
    return False
def type_keys(keys):
    try: os.write(fd, keys.encode())
    except OSError: pass
for step in steps:
    if read_until(step[0].encode(), 60): break
    if len(step) > 2 and read_until(None, step[2] / 1000): break
    type_keys(step[1])
    if len(step) > 3:
        end = time.time() + 60
        while time.time() < end and not read_until(None, step[3] / 1000): type_keys(step[1])
read_until(None, 60)
end = time.time() + 5
while True:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done: break
    if time.time() > end:
        os.kill(pid, 9); _, status = os.waitpid(pid, 0); break
    time.sleep(0.05)
sys.stdout.write(json.dumps({'screen': out.decode('utf8', 'replace'), 'code': os.waitstatus_to_exitcode(status)}))
`;
  const result = spawnSync(
    'python3',
    [
      '-c',
      driver,
      JSON.stringify([process.execPath, CLINIC_BIN, ...args]),
      JSON.stringify(options.steps ?? []),
      String(options.rows ?? 24),
      String(options.columns ?? 80),
    ],
    {
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 90_000,
      env: { ...childEnv(), TERM: 'xterm', ...options.env },
    },
  );
  if (result.status !== 0) throw new Error(`pty driver failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as PtyResult;
}

export interface PtySession {
  /** everything the terminal has shown so far */
  screen(): string;
  /**
   * Resolves once the screen shows `marker` at or after `from` (an offset of the screen, default 0),
   * with the offset just past it; rejects after `timeoutMs`.
   */
  waitFor(marker: string, options?: { from?: number; timeoutMs?: number }): Promise<number>;
  /** Types keys on the terminal (`\r` is Enter). */
  type(keys: string): void;
  /** Resolves when the program has exited. */
  done: Promise<PtyResult>;
}

/**
 * The built binary on a real pseudo-terminal that the test drives step by step (and may look at
 * the world between steps, e.g. while a prompt waits). Kill it with `type('\x03')` if it must stop.
 */
export function startOnPty(args: string[], options: { env?: NodeJS.ProcessEnv; rows?: number; columns?: number; timeoutMs?: number } = {}): PtySession {
  const relay = `
import fcntl, json, os, pty, select, struct, sys, termios
argv = json.loads(sys.argv[1]); rows, cols = int(sys.argv[2]), int(sys.argv[3])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(sys.stdin.fileno(), termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.execv(argv[0], argv)
reading = True
while True:
    ready, _, _ = select.select([fd] + ([0] if reading else []), [], [])
    if fd in ready:
        try: chunk = os.read(fd, 65536)
        except OSError: break
        if not chunk: break
        os.write(1, chunk)
    if 0 in ready:
        keys = os.read(0, 65536)
        if keys: os.write(fd, keys)
        else: reading = False
_, status = os.waitpid(pid, 0)
sys.stderr.write(json.dumps({'code': os.waitstatus_to_exitcode(status)}))
`;
  const child = spawn(
    'python3',
    ['-c', relay, JSON.stringify([process.execPath, CLINIC_BIN, ...args]), String(options.rows ?? 24), String(options.columns ?? 100)],
    {
      env: { ...childEnv(), TERM: 'xterm', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const screen = () => Buffer.concat(out).toString('utf8');
  const killer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  const done = new Promise<PtyResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(killer);
      const text = Buffer.concat(err).toString('utf8');
      try {
        resolve({ screen: screen(), code: (JSON.parse(text) as { code: number }).code });
      } catch {
        reject(new Error(`pty relay failed: ${text}\n${screen()}`));
      }
    });
  });
  return {
    screen,
    done,
    type: (keys) => child.stdin.write(keys),
    waitFor: async (marker, { from = 0, timeoutMs = 60_000 } = {}) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = screen().indexOf(marker, from);
        if (found >= 0) return found + marker.length;
        if (child.exitCode !== null || Date.now() > end) throw new Error(`the terminal never showed ${JSON.stringify(marker)}; it shows:\n${screen()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

export interface TerminalStep {
  /** which window (0, 1, …) types the command */
  window: number;
  /** a shell command line; `clinic` in it is this build's binary */
  command: string;
}

export interface TerminalStepResult {
  /** what the window showed while the command ran (stdout and stderr together) */
  screen: string;
  code: number;
}

/**
 * Several terminal windows at once: each a real pseudo-terminal running its own `sh` (its own
 * terminal session, as a terminal emulator's window), typing the steps' commands one after another.
 * Each command's exit status and what it showed come back in order.
 */
export function runInWindows(
  windows: number,
  steps: readonly TerminalStep[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): TerminalStepResult[] {
  const driver = `
import json, os, pty, re, sys, time
windows, steps = int(sys.argv[1]), json.loads(sys.argv[2])
fds, pids = [], []
for _ in range(windows):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv('/bin/sh', ['sh'])
    pids.append(pid); fds.append(fd)
def run(fd, line, pattern):
    os.write(fd, (line + '\\n').encode())
    out = b''; end = time.time() + 60
    while time.time() < end:
        match = re.search(pattern, out)
        if match: return out[:match.start()], match
        chunk = os.read(fd, 65536)
        if not chunk: break
        out += chunk
    raise SystemExit('timed out: ' + out.decode('utf8', 'replace'))
for fd in fds:
    run(fd, "stty -echo; PS1=''; PS2=''; printf '@@READY@@\\\\n'", rb'@@READY@@\\r?\\n')
results = []
for step in steps:
    screen, match = run(fds[step['window']], step['command'] + "; printf '@@%s@@\\\\n' $?", rb'@@(\\d+)@@\\r?\\n')
    results.append({'screen': screen.decode('utf8', 'replace'), 'code': int(match.group(1))})
for fd, pid in zip(fds, pids):
    os.write(fd, b'exit\\n'); os.waitpid(pid, 0)
sys.stdout.write(json.dumps(results))
`;
  const clinic = [process.execPath, CLINIC_BIN].map(shellQuote).join(' ');
  const result = spawnSync(
    'python3',
    ['-c', driver, String(windows), JSON.stringify(steps.map((step) => ({ ...step, command: step.command.replace(/^clinic\b|(?<=\| *)clinic\b/g, clinic) })))],
    {
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 120_000,
      env: { ...childEnv(), TERM: 'xterm', ...options.env },
    },
  );
  if (result.status !== 0) throw new Error(`pty driver failed: ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout) as TerminalStepResult[];
}

/** One word for sh: single-quoted. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
