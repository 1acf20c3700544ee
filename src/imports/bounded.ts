export type BoundedOutcome<R> =
  { status: 'done'; value: R } | { status: 'failed'; error: unknown } | { status: 'not_started' };

/**
 * Runs `task` over `items`, at most `limit` at a time, taking items in order. After a failure no further
 * item is started; those already under way are waited for. Every item's outcome is returned, in order:
 * done, failed, or not started.
 */
export async function runBounded<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<BoundedOutcome<R>[]> {
  const outcomes: BoundedOutcome<R>[] = items.map(() => ({ status: 'not_started' }));
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        outcomes[i] = { status: 'done', value: await task(items[i], i) };
      } catch (error) {
        outcomes[i] = { status: 'failed', error };
        failed = true;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  return outcomes;
}
