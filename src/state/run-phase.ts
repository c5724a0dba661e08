import type { RunStatus } from '../shared/protocol';

/**
 * Where a run (or the training of an original) is, as the studio shows it: the worker's statuses,
 * plus `preparing` (Start pressed, not yet answered) and `interrupted` (its worker was lost; its
 * checkpoint can resume it).
 */
export type RunPhase = 'idle' | 'preparing' | 'interrupted' | RunStatus;

/** A run owns the worker from the moment Start is pressed until it stops or finishes. */
export const isRunActive = (phase: RunPhase) => phase === 'preparing' || phase === 'running' || phase === 'paused';

/** Steps are being taken or could go on (pause): what a checkpoint is saved for. */
export const isStepping = (phase: RunPhase) => phase === 'running' || phase === 'paused';

/** Over for good: nothing left to resume. */
export const hasEnded = (phase: RunPhase) => phase === 'finished' || phase === 'stopped' || phase === 'diverged';

/** The worker still holds the run (its metrics are being computed): its model cannot be exported yet. */
export const holdsWorker = (phase: RunPhase) => isRunActive(phase) || phase === 'evaluating';
