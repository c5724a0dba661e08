/** The unlearning methods as plain data (no tfjs), so the UI can list them. Implementations: ./index.ts. */

export interface MethodInfo {
  id: string;
  title: string;
  trains: 'encoder' | 'whole model';
  description: string;
}

export const METHODS = [
  {
    id: 'paper',
    title: 'Paper (Eq. 10)',
    trains: 'encoder',
    description: 'Retain encodings stay at the original’s; forget encodings move to the original’s encoding of a noise image.',
  },
  {
    id: 'max-loss',
    title: 'Max Loss',
    trains: 'whole model',
    description: 'Task loss on retain minus α times the task loss on forget.',
  },
  {
    id: 'noisy-label',
    title: 'Noisy Label',
    trains: 'whole model',
    description: 'Task loss on retain, plus α times the loss of rebuilding a noise image from its masked version.',
  },
  {
    id: 'retain-label',
    title: 'Retain Label',
    trains: 'whole model',
    description: 'Outputs stay at the original’s on retain; forget inputs must produce the original’s outputs for retain images.',
  },
  {
    id: 'random-encoder',
    title: 'Random Encoder',
    trains: 'encoder',
    description: 'Retain encodings stay at the original’s; forget encodings move to Gaussian noise with the forget encodings’ mean and std.',
  },
] as const satisfies readonly MethodInfo[];

export type MethodId = (typeof METHODS)[number]['id'];

export const METHOD_IDS: readonly MethodId[] = METHODS.map((m) => m.id);
