/** Many rows at once (seeding, people imports): multi-row statements of this many rows, to stay under the bind-parameter limit. */
const BATCH = 1_000;

export function* batches<T>(rows: readonly T[]): Generator<T[]> {
  for (let at = 0; at < rows.length; at += BATCH) yield rows.slice(at, at + BATCH);
}
