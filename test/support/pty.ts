import { spawnSync } from 'node:child_process';
import { CLINIC_BIN } from './spawn.js';

/** Whether python3 and its pty module are here to drive a real pseudo-terminal. */
export const hasPty = spawnSync('python3', ['-c', 'import pty'], { encoding: 'utf8' }).status === 0;

export interface PtyResult {
  /** everything the terminal showed (stdout and stderr together, as on a screen) */
  screen: string;
  code: number;
}

/**
 * Runs the built binary on a real pseudo-terminal of `rows`×`columns` (python's pty module):
 * for each [marker, keys] step, waits until the screen shows the marker, then types the keys.
 */
export function runOnPty(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; steps?: ReadonlyArray<readonly [string, string]>; rows?: number; columns?: number; timeoutMs?: number } = {},
): PtyResult {
  const driver = `
import fcntl, json, os, pty, struct, sys, termios, time
argv = json.loads(sys.argv[1]); steps = json.loads(sys.argv[2]); rows, cols = int(sys.argv[3]), int(sys.argv[4])
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(sys.stdin.fileno(), termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
    os.execv(argv[0], argv)
out = b''
def read_until(marker, timeout):
    global out
    end = time.time() + timeout
    while (marker is None or marker not in out) and time.time() < end:
        try: chunk = os.read(fd, 65536)
        except OSError: return
        if not chunk: return
        out += chunk
for marker, keys in steps:
    read_until(marker.encode(), 60)
    os.write(fd, keys.encode())
read_until(None, 60)
_, status = os.waitpid(pid, 0)
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
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm', ...options.env },
    },
  );
  if (result.status !== 0) throw new Error(`pty driver failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as PtyResult;
}
