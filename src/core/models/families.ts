import { convInpaintingFamily } from './conv-inpainting-ae';
import { maeFamily } from './mae';
import { mageFamily } from './mage';
import { paletteFamily } from './palette';
import { readCard, writeCard, type ReadFile, type WriteFile } from './io';
import type { Recipe } from '../../shared/settings';
import type { I2IModel, ModelCard, ModelFamilyId } from './types';

/** What the studio needs to know of a model family to build, train and load its models. */
export interface ModelFamily {
  title: string;
  /** The architecture a new model of this family gets (card.architecture) for an image size. */
  defaultArchitecture(height: number, width: number, channels: number): ModelCard['architecture'];
  /** A freshly initialised (seeded) model for a card. */
  create(card: ModelCard): I2IModel;
  /** A model from its card and saved parts; refuses parts that do not fit the card before any of it runs. */
  load(card: ModelCard, read: ReadFile): Promise<I2IModel>;
  /** How its models are unlearned by default (a new model's card carries it). */
  recipe: Recipe;
}

/** family id -> family. A new family: its file in models/, its id in ModelFamilyId, one line here. */
export const FAMILIES: Record<ModelFamilyId, ModelFamily> = {
  'conv-inpainting-ae': convInpaintingFamily,
  mae: maeFamily,
  mage: mageFamily,
  palette: paletteFamily,
};

export function familyOf(id: string): ModelFamily {
  const family = FAMILIES[id as ModelFamilyId];
  if (!family) throw new Error(`unknown model family "${id}"; families: ${Object.keys(FAMILIES).join(', ')}`);
  return family;
}

/** A model folder: `card.json` plus `encoder` and `decoder` (each `<part>.json` + `<part>.weights.bin`). */
export async function saveModel(model: I2IModel, write: WriteFile): Promise<void> {
  await model.encoder.save('encoder', write);
  await model.decoder.save('decoder', write);
  for (const [name, part] of Object.entries(model.extraParts ?? {})) await part.save(name, write);
  await writeCard(model.card, write);
}

/** Reads a model folder, refusing unknown families and files that do not fit the card before any of it runs. */
export async function loadModel(read: ReadFile, adjustCard: (card: ModelCard) => ModelCard = (card) => card): Promise<I2IModel> {
  const card = adjustCard(await readCard<ModelCard>(read));
  const family = familyOf(card.family);
  if (!Array.isArray(card.tasks) || card.tasks.length === 0) throw new Error(`model ${card.id} names no task`);
  // A card written before cards carried a recipe gets its family's.
  return family.load({ ...card, recipe: card.recipe ?? family.recipe }, read);
}
