import { InterruptedError } from './errors.js';

/** Between rows and batches of a long operation: stop here if the caller was interrupted. */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError();
}

/** Items between two turns of the event loop: a source that never waits (a generator, a fast file) would otherwise keep signals from being handled at all. */
const YIELD_EVERY = 1_000;

/**
 * The items of `source` until `signal` fires: then InterruptedError at once, even while the source
 * waits for input that may never come (an idle or endless stdin), and `onInterrupt` (e.g. destroy
 * the input stream).
 */
export async function* untilInterrupted<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined, onInterrupt?: () => void): AsyncGenerator<T> {
  if (!signal) {
    yield* source;
    return;
  }
  throwIfInterrupted(signal);
  const iterator = source[Symbol.asyncIterator]();
  let stop: (() => void) | undefined;
  const interrupted = new Promise<'interrupted'>((resolve) => {
    stop = () => resolve('interrupted');
    signal.addEventListener('abort', stop, { once: true });
  });
  let finished = false;
  try {
    for (let count = 1; ; count++) {
      if (count % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      const next = await Promise.race([iterator.next(), interrupted]);
      if (next === 'interrupted' || signal.aborted) {
        onInterrupt?.();
        throw new InterruptedError();
      }
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (stop) signal.removeEventListener('abort', stop);
    // not awaited: the source may be stuck in a read that only the end of its input completes
    if (!finished) void iterator.return?.()?.catch(() => {});
  }
}
