/** A mistake in how the command was called (exit 2): a missing flag, a bad combination. */
export class UsageError extends Error {
  readonly code = 'USAGE' as const;
  constructor(
    message: string,
    readonly remedy?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}
