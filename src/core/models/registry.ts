/** Models that ship in public/models/<id>/ (written by `npm run pretrain`). */
export const BUILT_IN_MODELS = [{ id: 'mnist-inpaint-ae', dataset: 'mnist' }] as const;

export type BuiltInModelId = (typeof BUILT_IN_MODELS)[number]['id'];
