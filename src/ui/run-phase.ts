import type { RunPhase } from '../state/studio-store';

/** A run owns the worker from the moment Start is pressed until it stops or finishes. */
export function isRunActive(phase: RunPhase): boolean {
  return phase === 'preparing' || phase === 'running' || phase === 'paused';
}
