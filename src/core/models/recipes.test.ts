import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_UNLEARN, withRecipe } from '../../shared/settings';
import { FAMILIES } from './families';
import { MAGE_RECIPE, PALETTE_RECIPE } from './recipes';
import type { ModelCard } from './types';

const MODELS = resolve(import.meta.dirname, '../../../public/models');
const cards = readdirSync(MODELS)
  .filter((id) => !id.endsWith('-classifier'))
  .map((id) => JSON.parse(readFileSync(join(MODELS, id, 'card.json'), 'utf8')) as ModelCard);

describe('unlearning recipes', () => {
  it("every shipped model's card carries its family's recipe", () => {
    expect(cards.length).toBeGreaterThanOrEqual(6);
    for (const card of cards) expect(card.recipe, card.id).toEqual(FAMILIES[card.family].recipe);
  });

  it("Palette's is the official one: Adam, lr 5e-5 constant, no weight decay, no clipping, α 0.1, hybrid masks", () => {
    const s = withRecipe(DEFAULT_UNLEARN, PALETTE_RECIPE);
    expect([s.alpha, s.learningRate, s.schedule, s.weightDecay, s.clipNorm, s.beta2, s.unlearnMasks]).toEqual([0.1, 5e-5, 'constant', 0, 0, 0.999, 'hybrid']);
    expect(withRecipe(DEFAULT_UNLEARN, MAGE_RECIPE).unlearnMasks).toBe('task');
  });

  it("MAGE's α is the official 0.2, with its warm-up over 5 of 6 epochs", () => {
    const s = withRecipe(DEFAULT_UNLEARN, MAGE_RECIPE);
    expect(s.alpha).toBe(0.2);
    expect(s.warmupFraction).toBeCloseTo(5 / 6, 2);
  });

  it('a recipe sets every recipe key, the defaults where it is silent, and leaves the others alone', () => {
    const mine = { ...DEFAULT_UNLEARN, alpha: 7, seed: 5, method: 'max-loss' as const };
    const s = withRecipe(mine, MAGE_RECIPE);
    expect(s.alpha).toBe(0.2);
    expect(s.learningRate).toBe(DEFAULT_UNLEARN.learningRate);
    expect([s.seed, s.method]).toEqual([5, 'max-loss']);
  });
});
