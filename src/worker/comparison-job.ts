import * as tf from '@tensorflow/tfjs';
import { CALIBRATED, compareMethods, sweepPoints, type Compared } from '../core/evaluation/compare-methods';
import { auditHistograms } from '../core/evaluation/membership';
import { retrainWithout } from '../core/training/retrain';
import { METHOD_IDS } from '../shared/methods';
import type { AnswerOf, JobEvent, RequestOf } from '../shared/protocol';
import { JobStopped, yieldToMessages, type Job, type JobControl } from './jobs';
import type { Loaded, Workspace } from './workspace';

/**
 * Every method next to the references, on the loaded model (trained in place and restored after
 * each method), training the retrained reference first when asked and none is at hand.
 */
export class ComparisonJob implements Job {
  readonly busyMessage = 'a method comparison is running: wait for it to finish or cancel it first';
  readonly yields = false;

  constructor(
    private readonly request: RequestOf<'compare'>,
    private readonly loaded: Loaded,
    private readonly workspace: Workspace,
    private readonly emit: (event: JobEvent) => void,
    private readonly answer: (answer: AnswerOf<'compare'>) => void,
  ) {}

  async run(control: JobControl): Promise<void> {
    try {
      this.answer(await this.compare(control));
    } catch (error) {
      if (!(error instanceof JobStopped)) throw error;
      this.answer({ type: 'compareCancelled' });
    }
  }

  private async compare(control: JobControl): Promise<AnswerOf<'compare'>> {
    const { request, loaded, workspace } = this;
    const compareId = request.requestId;
    let retrained = await workspace.reference(request.modelId, request.forgetClasses, loaded.dataset.id);
    const withReference = Boolean(retrained || request.retrain);
    const sweep = request.sweep ? sweepPoints(request.sweep, request.settings).map((p) => p.method) : [];
    const order: Compared[] = ['original'];
    if (withReference) order.push('retrained');
    order.push(...METHOD_IDS);
    if (withReference) order.push(CALIBRATED);
    order.push(...sweep);
    // Between two steps: lets stop (and pause) in; a stop thrown here restores the original model.
    const between = async () => {
      await yieldToMessages();
      await control.settle();
    };
    try {
      if (!retrained && request.retrain) {
        const trained = await retrainWithout(
          loaded.model,
          loaded.dataset.train,
          request.forgetClasses,
          async (step, steps) => {
            this.emit({ type: 'compareProgress', compareId, progress: { method: 'retrained', stage: 'retraining', step, steps }, position: 2, models: order.length });
            await between();
          },
          request.retrainSteps,
        );
        trained.model.card.training!.backend = tf.getBackend();
        workspace.keepReference(request.modelId, request.forgetClasses, trained.model);
        retrained = { model: trained.model, kept: true };
      }
      const comparison = await compareMethods(
        loaded.model,
        retrained && { model: retrained.model, seconds: retrained.model.card.training?.seconds ?? NaN },
        loaded.dataset,
        await workspace.classifierFor(loaded.dataset.id),
        {
          forgetClasses: request.forgetClasses,
          methods: [...METHOD_IDS],
          settings: request.settings,
          evalImages: request.evalImages,
          projection: true,
          calibrate: { every: request.calibrateEvery },
          sweep: request.sweep,
        },
        undefined,
        async (progress) => {
          const position = order.indexOf(progress.method) + 1;
          if (position > 0) this.emit({ type: 'compareProgress', compareId, progress, position, models: order.length });
          await between();
        },
      );
      const histograms = auditHistograms(comparison.audit);
      return {
        type: 'compareResult',
        rows: comparison.rows,
        audit: comparison.audit.map((a, i) => ({ method: a.method, auc: a.auc, histogram: histograms[i] })),
        costs: comparison.costs,
        projection: comparison.projection,
        calibration: comparison.calibration,
        sweep: comparison.sweep,
      };
    } finally {
      if (retrained && !retrained.kept) retrained.model.dispose();
    }
  }
}
