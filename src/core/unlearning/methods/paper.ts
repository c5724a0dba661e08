import { applyTask } from '../../tasks/inpainting';
import { unlearningObjective } from '../objective';
import { encoderVariables, forgetNoise, type MethodFactory } from './method';

/**
 * The paper's method (Eq. 10): fine-tune only the encoder so that retain encodings stay at the
 * frozen original's and forget encodings move to the original's encoding of a noise image.
 */
export const createPaperMethod: MethodFactory = ({ model, teacher, settings }) => {
  return {
    variables: encoderVariables(model),
    objective(batch) {
      const task = model.card.task;
      const noise = forgetNoise(batch, settings.noise);
      // One task transform per set; student and teacher see the same masked inputs.
      const inputForget = applyTask(task, batch.forget);
      const inputRetain = applyTask(task, batch.retain);
      const teacherRetain = model.encode(inputRetain, teacher);
      const teacherNoise = model.encode(applyTask(task, noise), teacher);
      return () => unlearningObjective(model.encode(inputRetain), teacherRetain, model.encode(inputForget), teacherNoise, settings.alpha);
    },
  };
};
