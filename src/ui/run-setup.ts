import { METHODS } from '../shared/methods';
import type { RunSetup } from '../state/studio';

/** The sets of a run as the grid labels them: its own forget classes, not those selected now. */
export function runSetLabel(setup: RunSetup | undefined, set: 'forget' | 'retain', classNames: string[] = []): string {
  if (!setup) return '';
  if (setup.dataSource === 'own') return `your ${set} set`;
  const classes = set === 'forget' ? setup.forgetClasses : setup.retainClasses;
  return `class${classes.length === 1 ? '' : 'es'} ${classes.map((c) => classNames[c] ?? String(c)).join(', ')}`;
}

/** "forget 7, Paper (ours), α 0.25, 500 steps, 16 eval images": what a past run ran with. */
export function describeRunSetup(setup: RunSetup, classNames: string[] = []): string {
  const { settings } = setup;
  const forget = setup.dataSource === 'own' ? 'your forget set' : `forget ${setup.forgetClasses.map((c) => classNames[c] ?? String(c)).join(', ')}`;
  const method = METHODS.find((m) => m.id === settings.method)?.title ?? settings.method;
  const evalImages = setup.evalImages === undefined ? '' : `, ${setup.evalImages} eval images`;
  return `${forget}, ${method}, α ${settings.alpha}, lr ${settings.learningRate}, ${settings.steps} steps, batch ${settings.batchSize}${evalImages}`;
}
