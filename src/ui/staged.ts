import { startTransition, useEffect, useState } from 'react';

/**
 * How many of `parts` heavy children to show: one more per task after `key` changes, each in a
 * transition. A result that mounts a table and two charts at once blocks the page for half a
 * second; mounted one by one, each render is short and React can slice it.
 */
export function useStaged(parts: number, key: unknown): number {
  const [shown, setShown] = useState({ key, count: 0 });
  const count = shown.key === key ? shown.count : 0;
  useEffect(() => {
    if (count >= parts) return;
    const timer = setTimeout(() => startTransition(() => setShown({ key, count: count + 1 })), 0);
    return () => clearTimeout(timer);
  }, [key, count, parts]);
  return count;
}

/**
 * `value`, updated at most every `ms` (the latest value always arrives in the end): a chart that
 * redraws on every 100 ms step spends the page's time on frames nobody can read.
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = useState(value);
  const [shownAt, setShownAt] = useState(0);
  useEffect(() => {
    if (Object.is(shown, value)) return;
    const wait = Math.max(0, shownAt + ms - performance.now());
    const timer = setTimeout(() => {
      startTransition(() => setShown(value));
      setShownAt(performance.now());
    }, wait);
    return () => clearTimeout(timer);
  }, [value, shown, shownAt, ms]);
  return shown;
}
