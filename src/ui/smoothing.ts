/**
 * TensorBoard's loss smoothing: an exponential moving average with the start-up bias divided
 * out, so the first points are not dragged towards zero. `weight` 0 returns the values; a gap
 * (null, NaN) stays a gap and does not enter the average.
 */
export function smooth(values: (number | null)[], weight: number): (number | null)[] {
  if (!(weight >= 0 && weight < 1)) throw new Error(`smoothing must be in [0, 1), got ${weight}`);
  let average = 0;
  let count = 0;
  return values.map((value) => {
    if (value === null || !Number.isFinite(value)) return null;
    average = average * weight + (1 - weight) * value;
    count++;
    return average / (1 - weight ** count);
  });
}
