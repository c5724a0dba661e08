import { describe, expect, it } from 'vitest';
import { parseNumberList, parseSweep } from './compared';
import { DEFAULT_UNLEARN, withCalibratedRecipe, withRecipe, type Recipe } from './settings';

describe('the sweep lists', () => {
  it('reads comma lists, spaces allowed, and names the entry that is not a number', () => {
    expect(parseNumberList(' 0.05, 0.1,1 ', 'α sweep')).toEqual([0.05, 0.1, 1]);
    expect(parseNumberList('', 'α sweep')).toEqual([]);
    expect(() => parseNumberList('0.1, x, 2e', 'α sweep')).toThrow('the α sweep list holds "x", "2e", not numbers');
  });

  it("reads the CLI's --sweep, and refuses a key it does not sweep", () => {
    expect(parseSweep('alpha=0.05,0.1,0.25,0.5,1')).toEqual({ alpha: [0.05, 0.1, 0.25, 0.5, 1] });
    expect(parseSweep('alpha=0.1;steps=250,500')).toEqual({ alpha: [0.1], steps: [250, 500] });
    expect(() => parseSweep('lr=0.1')).toThrow(/takes alpha=… and steps=…/);
  });
});

describe("a recipe's calibrated values", () => {
  const recipe: Recipe = { alpha: 0.2, source: 'test', calibrated: { learningRate: 3e-4, source: 'gentler' } };

  it('switch in for a calibrated run and back out, leaving every other setting', () => {
    const plain = withRecipe({ ...DEFAULT_UNLEARN, seed: 7 }, recipe);
    expect(plain).toMatchObject({ alpha: 0.2, learningRate: DEFAULT_UNLEARN.learningRate, seed: 7 });
    const calibrated = withCalibratedRecipe({ ...plain, steps: 123 }, recipe, true);
    // Only what the calibrated values name changes: α stays the recipe's.
    expect(calibrated).toEqual({ ...plain, steps: 123, learningRate: 3e-4 });
    expect(withCalibratedRecipe(calibrated, recipe, false)).toEqual({ ...plain, steps: 123 });
    expect(withRecipe(DEFAULT_UNLEARN, recipe, true).learningRate).toBe(3e-4);
  });

  it('change nothing where the recipe has none', () => {
    const settings = { ...DEFAULT_UNLEARN, alpha: 3 };
    expect(withCalibratedRecipe(settings, { source: 'plain' }, true)).toEqual(settings);
    expect(withCalibratedRecipe(settings, undefined, false)).toEqual(settings);
  });
});
