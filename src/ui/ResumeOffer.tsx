import { useShallow } from 'zustand/react/shallow';
import { useResume, useStudio } from '../state/studio';

const CUT_BY = { reload: 'a reload', crashed: 'a worker failure', unresponsive: 'a worker that stopped answering', backendLost: 'a lost GPU' } as const;

/** After a reload or a lost worker that cut a run short: resume it from its last checkpoint, or let it go. */
export function ResumeOffer() {
  const { offer, cause } = useResume(useShallow((s) => ({ offer: s.offer, cause: s.cause })));
  const ready = useStudio((s) => s.phase === 'ready');
  if (!offer) return null;
  const { resume, discard } = useResume.getState();
  return (
    <div className="resume-offer" role="status" data-testid="resume-offer" data-step={offer.step} data-cause={cause}>
      <span>
        {offer.kind === 'unlearn' ? 'An unlearning run of' : 'The training of'} <code>{offer.modelId}</code> was cut short{cause ? ` by ${CUT_BY[cause]}` : ''} at step{' '}
        {offer.step} of {offer.kind === 'unlearn' ? offer.settings.steps : offer.trainSettings.steps} (checkpoint of {new Date(offer.savedAt).toLocaleTimeString()}).
        Resuming goes on exactly from that checkpoint: its weights, the optimiser&apos;s state and the batch order.
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
