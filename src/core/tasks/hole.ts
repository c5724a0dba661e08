/** Task geometry as plain data (no tfjs), shared with the UI through the worker protocol. */
export interface CentreHoleTask {
  kind: 'centre-hole';
  /** Side of the square hole as a fraction of the image side (0.5 = half the side). */
  holeFraction: number;
}

export interface HoleBounds {
  top: number;
  left: number;
  size: number;
}

export function holeBounds(task: CentreHoleTask, side: number): HoleBounds {
  const size = Math.round(side * task.holeFraction);
  const top = Math.floor((side - size) / 2);
  return { top, left: top, size };
}
