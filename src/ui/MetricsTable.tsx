import { useShallow } from 'zustand/react/shallow';
import { useStudio } from '../state/studio';
import { signed } from './format';
import type { HoleQuality, MetricsReport } from '../shared/protocol';

type SetName = keyof MetricsReport;

const PLACEHOLDER = '—';
/** A PSNR change smaller than this is noise between runs rather than an effect. */
const NOTABLE_DROP_DB = -1;

const ROWS: { name: SetName; title: string }[] = [
  { name: 'forget', title: 'Forget' },
  { name: 'retain', title: 'Retain' },
];

const psnr = (q?: HoleQuality) => (q ? q.psnr.toFixed(2) : PLACEHOLDER);
const mse = (q?: HoleQuality) => (q ? q.mse.toFixed(4) : PLACEHOLDER);


/** Forgetting should cost PSNR on the forget set and not on the retain set. */
function deltaTone(set: SetName, delta: number): string {
  if (delta >= NOTABLE_DROP_DB) return '';
  return set === 'forget' ? 'good' : 'bad';
}

function sampleSizes(metrics?: MetricsReport): string {
  if (!metrics) return PLACEHOLDER;
  const forget = metrics.forget.original.images;
  const retain = metrics.retain.original.images;
  return forget === retain ? String(forget) : `${forget} forget, ${retain} retain`;
}

export function MetricsTable() {
  const { metrics, runPhase, metricsCancelled } = useStudio(useShallow((s) => ({ metrics: s.metrics, runPhase: s.run.phase, metricsCancelled: s.run.metricsCancelled })));

  return (
    <section className="panel metrics" aria-labelledby="metrics-title">
      <h2 id="metrics-title">Hole quality</h2>
      <table data-testid="metrics-table">
        <thead>
          <tr>
            <th scope="col">Set</th>
            <th scope="col">Original PSNR</th>
            <th scope="col">Unlearned PSNR</th>
            <th scope="col">Δ dB</th>
            <th scope="col">Original MSE</th>
            <th scope="col">Unlearned MSE</th>
          </tr>
        </thead>
        <tbody>
          {ROWS.map(({ name, title }) => {
            const original = metrics?.[name].original;
            const unlearned = metrics?.[name].unlearned;
            const delta = original && unlearned ? unlearned.psnr - original.psnr : undefined;
            return (
              <tr key={name}>
                <th scope="row">{title}</th>
                <td data-testid={`metric-${name}-original-psnr`}>{psnr(original)}</td>
                <td data-testid={`metric-${name}-unlearned-psnr`}>{psnr(unlearned)}</td>
                <td data-testid={`metric-${name}-delta`} className={delta === undefined ? '' : deltaTone(name, delta)}>
                  {delta === undefined ? PLACEHOLDER : signed(delta)}
                </td>
                <td data-testid={`metric-${name}-original-mse`}>{mse(original)}</td>
                <td data-testid={`metric-${name}-unlearned-mse`}>{mse(unlearned)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="note">
        (held-out images, hole region only; n = {sampleSizes(metrics)})
        {!metrics &&
          (runPhase === 'evaluating'
            ? ' · evaluating…'
            : runPhase === 'stopped' && metricsCancelled
              ? ' · the evaluation was cancelled: this run has no metrics'
              : ' · computed when a run ends or is stopped')}
      </p>
    </section>
  );
}
