import { joinBatches, splitOutputs } from '../../models/batches';
import { unlearningObjective } from '../objective';
import { forgetNoise, taskBatches, type MethodFactory } from './method';

/**
 * The paper's method (Eq. 10): fine-tune only the encoder so that retain encodings stay at the
 * frozen original's and forget encodings move to the original's encoding of a noise image.
 * Forget and retain go through the student in one pass (one backward), and through the teacher
 * in as few as the family allows.
 */
export const createPaperMethod: MethodFactory = ({ model, task, teacher, settings }) => {
  return {
    variables: model.encoder.variables,
    objective(step) {
      const { forget, retain } = taskBatches(step, task);
      const targets = model.teacherTargets(forget, forgetNoise(step, settings.noise), retain, teacher);
      const both = joinBatches(forget, retain);
      return () => {
        const [studentForget, studentRetain] = splitOutputs(model.encode(both), forget.images.shape[0]);
        return unlearningObjective(studentRetain, targets.retain, studentForget, targets.forget, settings.alpha);
      };
    },
  };
};
