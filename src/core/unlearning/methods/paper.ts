import { unlearningObjective } from '../objective';
import { forgetNoise, taskBatches, type MethodFactory } from './method';

/**
 * The paper's method (Eq. 10): fine-tune only the encoder so that retain encodings stay at the
 * frozen original's and forget encodings move to the original's encoding of a noise image.
 */
export const createPaperMethod: MethodFactory = ({ model, task, teacher, settings }) => {
  return {
    variables: model.encoder.variables,
    objective(step) {
      const { forget, retain } = taskBatches(step, task);
      const teacherRetain = model.encode(retain, teacher);
      const teacherNoise = model.forgetTarget(forget, forgetNoise(step, settings.noise), teacher);
      return () => unlearningObjective(model.encode(retain), teacherRetain, model.encode(forget), teacherNoise, settings.alpha);
    },
  };
};
