import { useResume } from '../state/resume-store';
import { useStudio } from '../state/studio-store';

/** After a reload that cut a run short: resume it from its last checkpoint, or let it go. */
export function ResumeOffer() {
  const offer = useResume((s) => s.offer);
  const ready = useStudio((s) => s.phase === 'ready');
  if (!offer) return null;
  const { resume, discard } = useResume.getState();
  return (
    <div className="resume-offer" role="status" data-testid="resume-offer" data-step={offer.step}>
      <span>
        {offer.kind === 'unlearn' ? 'An unlearning run of' : 'The training of'} <code>{offer.modelId}</code> was cut short at step {offer.step} of{' '}
        {offer.kind === 'unlearn' ? offer.settings.steps : offer.trainSettings.steps} (checkpoint of{' '}
        {new Date(offer.savedAt).toLocaleTimeString()}). Resuming goes on from that checkpoint's weights for the steps left; the
        optimiser's state starts afresh there.
      </span>
      <button type="button" className="primary small" data-testid="resume-run" disabled={!ready} onClick={() => void resume()}>
        Resume
      </button>
      <button type="button" className="small" data-testid="resume-discard" onClick={() => void discard()}>
        Discard
      </button>
    </div>
  );
}
