/** A dB change to two decimals with its sign: "+0.13", "-3.25", and "0.00", never "-0.00". */
export function signed(delta: number): string {
  const rounded = Math.round(delta * 100) / 100 || 0; // `|| 0` turns -0 into 0
  return `${rounded > 0 ? '+' : ''}${rounded.toFixed(2)}`;
}
