/** Steps whose losses set the run's opening scale: the warm-up's first, taken at a small learning rate. */
export const OPENING_STEPS = 5;
/**
 * How far above its opening scale a run's total loss may go. A sound run of any method here stays
 * within an order of magnitude of it (the paper's total falls from α·L_F; max-loss's negative forget
 * term is an MSE of bounded outputs), while a diverging one grows geometrically (lr 1e9 reached
 * 1.4e18): three orders catch that within a few steps of the blow-up, with a wide margin for a sound run.
 */
export const EXPLOSION_FACTOR = 1e3;

/**
 * Watches a run's total loss, step by step in order, for divergence: a loss that is not finite
 * (the weights are lost), or one more than EXPLOSION_FACTOR times the largest |loss| of the
 * OPENING_STEPS steps this watch saw first (the largest, not the first: the paper's retain term
 * is exactly 0 at a run's first step).
 */
export class DivergenceWatch {
  private seen = 0;
  private opening = 0;

  /** Why the run has diverged, given its next step's total loss; undefined while it has not. */
  observe(total: number): string | undefined {
    if (!Number.isFinite(total)) return `the loss became ${total}`;
    this.seen += 1;
    if (this.seen <= OPENING_STEPS) {
      this.opening = Math.max(this.opening, Math.abs(total));
      return undefined;
    }
    if (this.opening > 0 && Math.abs(total) > EXPLOSION_FACTOR * this.opening) {
      return `the loss reached ${total.toExponential(2)}, over ${EXPLOSION_FACTOR}× its opening ${this.opening.toExponential(2)}`;
    }
    return undefined;
  }
}
