/** What the server tells the command that started it, over IPC, once. */
export type StartReport =
  { kind: 'ready' } | { kind: 'busy'; message: string } | { kind: 'failed'; name: string; message: string; remedy?: string | undefined };

/** `clinic db server status`, as the server reports itself on its control socket. */
export interface ServerStatus {
  pid: number;
  dataDir: string;
  socket: string;
  startedAt: string;
  uptimeSeconds: number;
  connections: number;
  waiting: number;
  residentBytes: number;
  idleTimeoutSeconds: number;
}
