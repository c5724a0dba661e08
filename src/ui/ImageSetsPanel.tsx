import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../state/studio';
import { isRunActive } from '../state/run-phase';
import { OwnSetsPanel } from './OwnSetsPanel';

function total(counts: number[], classes: number[]): number {
  return classes.reduce((sum, c) => sum + (counts[c] ?? 0), 0);
}

export function ImageSetsPanel() {
  const { phase, dataset, forgetClasses, retainClasses, runPhase, dataSource } = useStudio(
    useShallow((s) => ({
      phase: s.phase,
      dataset: s.dataset,
      forgetClasses: s.forgetClasses,
      retainClasses: s.retainClasses,
      runPhase: s.run.phase,
      dataSource: s.dataSource,
    })),
  );
  const { toggleForgetClass, toggleRetainClass } = useStudio.getState();
  const locked = isRunActive(runPhase);
  // Metrics judge every class not forgotten; fewer retain classes than that make the retain set a proxy.
  const kept = dataset ? dataset.classNames.map((_, c) => c).filter((c) => !forgetClasses.includes(c)) : [];
  const proxy = retainClasses.length > 0 && retainClasses.length < kept.length;

  return (
    <section className="panel image-sets" aria-labelledby="image-sets-title">
      <h2 id="image-sets-title">Image sets</h2>
      <div className="chip-row" role="group" aria-label="Where the images come from">
        {(['classes', 'own'] as const).map((source) => (
          <button
            key={source}
            type="button"
            className="chip"
            data-testid={`data-source-${source}`}
            aria-pressed={dataSource === source}
            disabled={locked}
            onClick={() => useStudio.getState().setDataSource(source)}
          >
            {source === 'classes' ? 'Dataset classes' : 'My images'}
          </button>
        ))}
      </div>
      {dataSource === 'own' ? (
        <OwnSetsPanel locked={locked} />
      ) : !dataset ? (
        <p className="empty">{phase === 'failed' ? 'No dataset loaded' : 'Loading classes…'}</p>
      ) : (
        <>
          <div className="chip-row" role="group" aria-label="Classes to forget">
            <span className="chip-row-label">Forget</span>
            {dataset.classNames.map((name, c) => (
              <button
                key={c}
                type="button"
                className="chip forget"
                data-testid={`class-forget-${c}`}
                aria-pressed={forgetClasses.includes(c)}
                disabled={locked}
                onClick={() => toggleForgetClass(c)}
              >
                {name}
              </button>
            ))}
          </div>
          <div className="chip-row" role="group" aria-label="Classes to retain">
            <span className="chip-row-label">Retain</span>
            {dataset.classNames.map((name, c) => {
              const forgotten = forgetClasses.includes(c);
              return (
                <button
                  key={c}
                  type="button"
                  className="chip retain"
                  data-testid={`class-retain-${c}`}
                  aria-pressed={retainClasses.includes(c)}
                  disabled={locked || forgotten}
                  title={forgotten ? 'in the forget set' : undefined}
                  onClick={() => toggleRetainClass(c)}
                >
                  {name}
                </button>
              );
            })}
          </div>
          <p className="counts" data-testid="forget-count">
            Forget: {total(dataset.trainCounts, forgetClasses)} train / {total(dataset.testCounts, forgetClasses)} held-out
          </p>
          <p className="counts" data-testid="retain-count">
            Retain: {total(dataset.trainCounts, retainClasses)} train / {total(dataset.testCounts, kept)} held-out
          </p>
          {proxy && (
            <p className="hint" data-testid="proxy-retain">
              proxy retain set: the retain term trains on the classes picked above, the retain metrics cover every class not forgotten
            </p>
          )}
          {forgetClasses.length === 0 && <p className="hint">pick at least one class to forget</p>}
          {retainClasses.length === 0 && <p className="hint">keep at least one class in the retain set</p>}
        </>
      )}
    </section>
  );
}
