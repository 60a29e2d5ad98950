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

/**
 * A confirmation answered no (the default): nothing was done. Exit 2 like a refusal without --yes,
 * so a script sees one outcome for "not confirmed"; it names no help page, as nothing was misused.
 */
export class NotConfirmedError extends UsageError {
  constructor() {
    super('Not confirmed: nothing was changed.');
    this.name = 'NotConfirmedError';
  }
}
