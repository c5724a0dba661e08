import { useFirstRun, useStudio } from '../state/studio';
import { GUIDE_STEPS, type GuideStep } from '../state/first-run';

/** Each step's words; the forget classes are the ones picked, so the text matches the screen. */
function text(step: GuideStep, forget: string): { title: string; body: string; action?: string } {
  switch (step) {
    case 'sets':
      return {
        title: 'What unlearning means here',
        body: `The loaded model rebuilds the hidden part of an image. The forget set (${forget}) is what it must stop rebuilding; the retain set is what it must still rebuild as well as before. Pick the classes on the left, or drop your own images under "My images".`,
        action: 'Next',
      };
    case 'start':
      return {
        title: 'Start a run',
        body: 'Press Start in the toolbar. Only the encoder is trained: forget images are pushed to look like noise to the original model, retain images are held to the original. The loss chart shows both terms live.',
      };
    case 'grid':
      return {
        title: 'Reading the grid',
        body: 'Each row is one held-out image: masked input | original model | unlearned model | ground truth. Forgetting shows as the unlearned column losing the forget images while the retain rows stay like the original. Drag the history slider to look back at earlier steps.',
      };
    case 'metrics':
      return {
        title: 'Reading the numbers',
        body: 'Hole quality compares the original and the unlearned model on held-out images: the forget PSNR should fall (Δ in green), the retain PSNR should hardly move. Compare methods runs the baselines and a model retrained without the forget set, the gold standard.',
        action: 'Got it',
      };
  }
}

/** The guided first run: a card above the results, never in the way of the controls. */
export function FirstRunGuide() {
  const { step, next, dismiss } = useFirstRun();
  const forget = useStudio((s) => (s.dataSource === 'own' ? 'your forget images' : s.forgetClasses.map((c) => s.dataset?.classNames[c] ?? c).join(', ') || 'none yet'));
  if (!step) return null;
  const { title, body, action } = text(step, forget);
  return (
    <section className="panel guide" aria-label="Guided first run" data-testid="first-run-guide" data-step={step}>
      <div className="panel-header">
        <h2>
          First run · {GUIDE_STEPS.indexOf(step) + 1} of {GUIDE_STEPS.length}: {title}
        </h2>
        <button type="button" className="small" data-testid="first-run-dismiss" onClick={dismiss}>
          Don't show again
        </button>
      </div>
      <p>{body}</p>
      {action && (
        <button type="button" className="primary small" data-testid="first-run-next" onClick={next}>
          {action}
        </button>
      )}
    </section>
  );
}
