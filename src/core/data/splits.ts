import { filterByLabel, type ImageSet } from './image-set';

/**
 * Class-wise forgetting, as in the paper: train images of the forget classes vs the retain
 * classes, and held-out test images. The retain classes may be a proxy (fewer classes than all
 * that are not forgotten, as the paper's proxy retain sets); `retainTest` always covers every
 * class not forgotten, so a proxy is judged on everything the model must keep.
 */
export interface ClassSplit {
  forgetTrain: ImageSet;
  retainTrain: ImageSet;
  forgetTest: ImageSet;
  retainTest: ImageSet;
}

export function splitByClass(train: ImageSet, test: ImageSet, forgetClasses: number[], retainClasses?: number[]): ClassSplit {
  const forget = new Set(forgetClasses);
  if (forget.size === 0) throw new Error('choose at least one class to forget');
  const retain = new Set(retainClasses ?? [...new Set(train.labels)].filter((c) => !forget.has(c)));
  const overlap = [...forget].filter((c) => retain.has(c));
  if (overlap.length) throw new Error(`class ${overlap.join(', ')} is in both the forget and the retain set`);
  const split = {
    forgetTrain: filterByLabel(train, (l) => forget.has(l)),
    retainTrain: filterByLabel(train, (l) => retain.has(l)),
    forgetTest: filterByLabel(test, (l) => forget.has(l)),
    retainTest: filterByLabel(test, (l) => !forget.has(l)),
  };
  for (const [name, set] of Object.entries(split)) {
    if (set.count === 0) throw new Error(`the ${name.replace(/([A-Z])/g, ' $1').toLowerCase()} set is empty`);
  }
  return split;
}
