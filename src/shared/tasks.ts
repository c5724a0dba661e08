/** Task geometry as plain data (no tfjs), shared with the UI through the worker protocol. */

/** Inpainting: a centred square hole whose side is `holeFraction` of the image side. */
export interface CentreHoleTask {
  kind: 'centre-hole';
  holeFraction: number;
}

/** Outpainting: only a centred square whose side is `keepFraction` of the image side is seen. */
export interface OutpaintingTask {
  kind: 'outpainting';
  keepFraction: number;
}

/** MAE/MAGE-style: a random `ratio` of the square patches of side `patch` is masked, per image. */
export interface RandomPatchesTask {
  kind: 'random-patches';
  patch: number;
  ratio: number;
}

/**
 * Palette's `hybrid` masks (its official training and unlearning masks): a random box united with
 * random brush strokes, a new pair per image. A mask to unlearn under, not a task the studio evaluates.
 */
export interface HybridTask {
  kind: 'hybrid';
}

export type TaskSpec = CentreHoleTask | OutpaintingTask | RandomPatchesTask | HybridTask;

export const HYBRID_MASKS: HybridTask = { kind: 'hybrid' };

/** The tasks the studio offers, by id (the URL's `task=`). */
export const TASKS = {
  'centre-25': { kind: 'centre-hole', holeFraction: 0.25 },
  'centre-50': { kind: 'centre-hole', holeFraction: 0.5 },
  outpaint: { kind: 'outpainting', keepFraction: 0.5 },
  patches: { kind: 'random-patches', patch: 4, ratio: 0.5 },
} as const satisfies Record<string, TaskSpec>;

export type TaskId = keyof typeof TASKS;
export const TASK_IDS = Object.keys(TASKS) as TaskId[];

export const TASK_LABELS: Record<TaskId, string> = {
  'centre-25': 'centre hole, 25% of the side',
  'centre-50': 'centre hole, 50% of the side',
  outpaint: 'outpainting (centre half kept)',
  patches: 'random patches (50% of 4x4 patches)',
};

export function sameTask(a: TaskSpec, b: TaskSpec): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The id of a task spec, when it is one the studio offers. */
export function taskId(task: TaskSpec): TaskId | undefined {
  return TASK_IDS.find((id) => sameTask(TASKS[id], task));
}

/**
 * The task a run uses: `id`, or the model's default (its first) when `id` is undefined. A model
 * runs only tasks it was trained on: a centre-hole model has never seen a patch mask.
 */
export function resolveTask(card: { id: string; tasks: TaskSpec[] }, id: TaskId | undefined): TaskSpec {
  if (id === undefined) return card.tasks[0];
  const spec = TASKS[id];
  if (!spec) throw new Error(`unknown task "${id}"; tasks: ${TASK_IDS.join(', ')}`);
  if (!card.tasks.some((t) => sameTask(t, spec))) {
    throw new Error(`model ${card.id} was not trained for ${TASK_LABELS[id]}; its tasks: ${modelTaskIds(card).map((t) => TASK_LABELS[t]).join('; ')}`);
  }
  return spec;
}

/** The studio's ids of the tasks a model was trained on. */
export function modelTaskIds(card: { tasks: TaskSpec[] }): TaskId[] {
  return card.tasks.map(taskId).filter((id): id is TaskId => id !== undefined);
}

export interface SquareBounds {
  top: number;
  left: number;
  size: number;
}

/** The centred square of side round(side · fraction). */
export function centredSquare(fraction: number, side: number): SquareBounds {
  const size = Math.round(side * fraction);
  const top = Math.floor((side - size) / 2);
  return { top, left: top, size };
}

/**
 * Which pixels of an image a fixed-geometry task hides (1 = hidden), as a [height * width] array;
 * undefined for random patches, whose layout changes per image.
 */
export function fixedMaskPixels(task: TaskSpec, height: number, width: number): Float32Array | undefined {
  if (task.kind === 'random-patches' || task.kind === 'hybrid') return undefined;
  const fraction = task.kind === 'centre-hole' ? task.holeFraction : task.keepFraction;
  const { top, left, size } = centredSquare(fraction, Math.min(height, width));
  const inside = task.kind === 'centre-hole' ? 1 : 0;
  const values = new Float32Array(height * width).fill(1 - inside);
  for (let y = top; y < top + size; y++) for (let x = left; x < left + size; x++) values[y * width + x] = inside;
  return values;
}
