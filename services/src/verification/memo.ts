/**
 * Memos of pure functions over values that documents share (their times, MSP ids, type codes):
 * a verifier checking many documents of a batch computes each once. A memo cannot change an
 * answer; it is emptied when full, so its memory stays bounded whatever it is fed.
 */

/**
 * `compute`, remembered for up to `max` distinct keys at a time.
 *
 * @param max - entries kept before the memo starts over
 * @param compute - a pure function (the same key always gives the same value)
 */
export function boundedMemo<K, V>(max: number, compute: (key: K) => V): (key: K) => V {
  const values = new Map<K, V>();
  return (key) => {
    if (values.has(key)) return values.get(key) as V;
    const value = compute(key);
    if (values.size >= max) values.clear();
    values.set(key, value);
    return value;
  };
}
