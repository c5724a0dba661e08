import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../state/studio';

export function ErrorBanner() {
  const { error, failed, dismissError } = useStudio(
    useShallow((s) => ({ error: s.error, failed: s.phase === 'failed', dismissError: s.dismissError })),
  );
  if (!error) return null;

  return (
    <div className={`error-banner${failed ? ' fatal' : ''}`} role="alert" data-testid="error-banner">
      <div>
        {failed && <strong>The studio could not load the model or data. </strong>}
        <span className="error-message">{error}</span>
      </div>
      <button type="button" data-testid="error-dismiss" onClick={dismissError}>
        Dismiss
      </button>
    </div>
  );
}
