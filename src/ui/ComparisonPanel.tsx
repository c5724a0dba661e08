import { useId, useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useShallow } from 'zustand/react/shallow';
import { OWN_IMAGES_COMPARE_MESSAGE } from '../state/slices/comparison';
import { isComparing, useStudio, type ComparisonResult, type ComparisonState } from '../state/studio';
import { METHODS } from '../shared/methods';
import type { AuditSummary, ComparedModel, EvaluationSet } from '../shared/protocol';
import { METRIC_COLUMNS, bestValues, isBest, type MetricColumn } from '../shared/ranking';
import { comparisonCsv, comparisonFileName, comparisonJson, downloadText } from './comparison-export';
import { ProjectionScatter } from './ProjectionScatter';
import { TradeOffChart } from './TradeOffChart';
import { CALIBRATED, parseNumberList } from '../shared/compared';
import { useStaged } from './staged';

/** A record so the compiler checks that every evaluation set has a title; its order is the table's. */
const SET_TITLES: Record<EvaluationSet, string> = {
  forget: 'Forget (trained on)',
  'forget-unseen': 'Forget (never seen)',
  retain: 'Retain (held out)',
};
const SETS = Object.keys(SET_TITLES) as EvaluationSet[];

const COLUMN_TITLES: Record<MetricColumn, string> = { fid: 'FID', is: 'IS', cosine: 'cosine', psnr: 'PSNR (hole)', ssim: 'SSIM (hole)' };
const DIGITS: Record<MetricColumn, number> = { fid: 2, is: 3, cosine: 3, psnr: 2, ssim: 3 };

const PAPER_TITLE = METHODS.find((m) => m.id === 'paper')!.title;

function modelTitle(method: ComparedModel): string {
  if (method === 'original') return 'Original';
  if (method === 'retrained') return 'Retrained (exact)';
  if (method === CALIBRATED) return `${PAPER_TITLE}, calibrated`;
  if (method.startsWith('sweep ')) return `${PAPER_TITLE}, ${method.slice('sweep '.length)}`;
  return METHODS.find((m) => m.id === method)?.title ?? method;
}

function progressText({ phase, progress }: ComparisonState): string {
  if (phase === 'cancelling') return 'cancelling after the current step…';
  if (!progress) return 'loading the classifier and the retrained reference…';
  const { progress: p, position, models } = progress;
  const what = p.stage === 'judging' ? 'judging' : `${p.stage === 'retraining' ? 'training from scratch without the forget classes' : 'unlearning'}, step ${p.step} of ${p.steps}`;
  return `${modelTitle(p.method)}: ${what} (model ${position} of ${models})`;
}

export function ComparisonPanel() {
  const { comparison, ready, ownImages, compare, cancelCompare, selectComparedModel } = useStudio(
    useShallow((s) => ({
      comparison: s.comparison,
      ready: s.phase === 'ready',
      ownImages: s.dataSource === 'own',
      compare: s.compare,
      cancelCompare: s.cancelCompare,
      selectComparedModel: s.selectComparedModel,
    })),
  );
  const running = isComparing(comparison.phase);
  const { result } = comparison;
  const staged = useStaged(4, running ? undefined : result);
  const reportError = useStudio((s) => s.reportError);
  const [sweepAlpha, setSweepAlpha] = useState('');
  const [sweepSteps, setSweepSteps] = useState('');
  const start = () => {
    try {
      const alpha = parseNumberList(sweepAlpha, 'α sweep');
      const steps = parseNumberList(sweepSteps, 'steps sweep');
      void compare(alpha.length || steps.length ? { sweep: { alpha, steps } } : undefined);
    } catch (error) {
      reportError(error instanceof Error ? error.message : String(error));
    }
  };

  return (
    <section className="panel comparison" aria-labelledby="comparison-title">
      <div className="panel-header">
        <h2 id="comparison-title">Compare methods</h2>
        <button type="button" className="primary" data-testid="compare-button" disabled={!ready || running || ownImages} onClick={start}>
          Compare
        </button>
        <button type="button" data-testid="compare-cancel" disabled={comparison.phase !== 'running'} onClick={() => void cancelCompare()}>
          Cancel
        </button>
        {result && (
          <>
            <button
              type="button"
              className="small"
              data-testid="compare-export-csv"
              onClick={() => downloadText(comparisonFileName(result, 'csv'), comparisonCsv(result), 'text/csv')}
            >
              Export CSV
            </button>
            <button
              type="button"
              className="small"
              data-testid="compare-export-json"
              onClick={() => downloadText(comparisonFileName(result, 'json'), comparisonJson(result), 'application/json')}
            >
              Export JSON
            </button>
          </>
        )}
      </div>
      {ownImages ? (
        <p className="note warning" data-testid="compare-own-refused">
          {OWN_IMAGES_COMPARE_MESSAGE[0].toUpperCase() + OWN_IMAGES_COMPARE_MESSAGE.slice(1)}.
        </p>
      ) : (
        <>
          <p className="note">
            Every method unlearns the forget classes from the loaded original with the current settings; the retain set is every class not forgotten. With a
            retrained reference, the paper&apos;s method also runs calibrated: stopped where its forget quality reaches the retrained model&apos;s.
          </p>
          <p className="note sweep-fields">
            Trade-off sweep (optional): the paper&apos;s method also at α{' '}
            <SweepList testId="compare-sweep-alpha" label="α values to sweep" placeholder="0.05, 0.1, 0.25, 0.5, 1" value={sweepAlpha} disabled={running} onChange={setSweepAlpha} /> and
            steps <SweepList testId="compare-sweep-steps" label="step counts to sweep" placeholder="the settings' steps" value={sweepSteps} disabled={running} onChange={setSweepSteps} />
          </p>
        </>
      )}
      {running && <ComparisonProgressBar comparison={comparison} />}
      {comparison.phase === 'cancelled' && <p className="note">Comparison cancelled.</p>}
      {result && !running && (
        <>
          {staged >= 1 && <ComparisonTable result={result} />}
          {staged >= 2 && <AuditSection result={result} selected={comparison.selected} />}
          {staged >= 3 && <TradeOffChart result={result} selected={comparison.selected} title={modelTitle} />}
          {staged >= 4 && result.projection && (
            <ProjectionScatter projection={result.projection} selected={comparison.selected} title={modelTitle} onSelect={selectComparedModel} />
          )}
        </>
      )}
    </section>
  );
}

function SweepList({ testId, label, placeholder, value, disabled, onChange }: { testId: string; label: string; placeholder: string; value: string; disabled: boolean; onChange(text: string): void }) {
  return <input type="text" className="inline-text" data-testid={testId} aria-label={label} placeholder={placeholder} value={value} disabled={disabled} onChange={(e) => onChange(e.target.value)} />;
}

function ComparisonProgressBar({ comparison }: { comparison: ComparisonState }) {
  const progress = comparison.progress;
  // Each model counts one unit; a method's steps fill its unit.
  const within = progress && progress.progress.stage !== 'judging' ? progress.progress.step / (progress.progress.steps + 1) : 0;
  const value = progress ? (progress.position - 1 + within) / progress.models : 0;
  return (
    <div className="compare-progress" data-testid="compare-progress">
      <progress value={value} max={1} />
      <span>{progressText(comparison)}</span>
    </div>
  );
}

function ComparisonTable({ result }: { result: ComparisonResult }) {
  const best = useMemo(() => Object.fromEntries(SETS.map((set) => [set, bestValues(result.rows, set)])), [result.rows]);
  const selectComparedModel = useStudio((s) => s.selectComparedModel);
  const selected = useStudio((s) => s.comparison.selected);
  const hasRetrained = result.rows.some((r) => r.method === 'retrained');
  const compare = useStudio((s) => s.compare);
  const originalTraining = useStudio((s) => s.model?.training);
  const [retrainSteps, setRetrainSteps] = useState(originalTraining?.steps ?? 1000);

  return (
    <>
      <table className="compare-table" data-testid="compare-table">
        <thead>
          <tr>
            <th scope="col">Model</th>
            {METRIC_COLUMNS.map((column) => (
              <th key={column} scope="col">
                {COLUMN_TITLES[column]}
              </th>
            ))}
          </tr>
        </thead>
        {SETS.map((set) => (
          <tbody key={set}>
            <tr className="set-row">
              <th scope="rowgroup" colSpan={METRIC_COLUMNS.length + 1}>
                {SET_TITLES[set]} · n = {result.rows.find((r) => r.set === set)?.images ?? 0}
              </th>
            </tr>
            {result.rows
              .filter((r) => r.set === set)
              .map((row) => (
                <tr
                  key={row.method}
                  className={`${row.method === selected ? 'selected' : ''} ${row.method === 'original' || row.method === 'retrained' ? 'reference' : ''}`}
                  onClick={() => selectComparedModel(row.method)}
                >
                  <th scope="row">{modelTitle(row.method)}</th>
                  {METRIC_COLUMNS.map((column) => {
                    const marked = isBest(row, column, best[set]);
                    return (
                      <td
                        key={column}
                        data-testid={`compare-${row.method}-${set}-${column}`}
                        data-value={row[column]}
                        data-best={marked}
                        className={marked ? 'compare-best' : undefined}
                      >
                        {row[column].toFixed(DIGITS[column])}
                      </td>
                    );
                  })}
                </tr>
              ))}
          </tbody>
        ))}
      </table>
      {!hasRetrained && (
        <p className="note warning" data-testid="compare-no-retrained">
          No retrained reference ships for these classes.{' '}
          <button type="button" className="small" data-testid="compare-retrain" onClick={() => void compare({ retrain: true, retrainSteps })}>
            Train it here, then compare again
          </button>{' '}
          for{' '}
          <input
            type="number"
            className="inline-number"
            data-testid="compare-retrain-steps"
            aria-label="retraining steps"
            min={1}
            value={retrainSteps}
            onChange={(e) => Number.isInteger(Number(e.target.value)) && Number(e.target.value) >= 1 && setRetrainSteps(Number(e.target.value))}
          />{' '}
          steps: from scratch on the retain classes with the original&apos;s recipe
          {originalTraining ? ` (${originalTraining.steps} steps, ${Math.ceil(originalTraining.seconds / 60)} min in Node on wasm); fewer steps give a rougher reference` : ''}. It stays
          for this session; <code>npm run evaluate</code> trains it in Node.
        </p>
      )}
      <p className="note">
        Best method per column in bold (references are not ranked): on the forget sets, the farther from the ground truth the better (higher FID, lower
        cosine, PSNR and SSIM); on the retain set, the closer; IS is ranked on the retain set only.
      </p>
      <p className="note">FID, IS and cosine use the features of the studio's own classifier for {result.dataset} images: domain-network scores, not Inception FID or CLIP.</p>
    </>
  );
}

function formatSeconds(seconds: number | undefined): string {
  return seconds === undefined || !Number.isFinite(seconds) ? '—' : `${seconds.toFixed(1)} s`;
}

function AuditSection({ result, selected }: { result: ComparisonResult; selected: ComparedModel }) {
  const selectComparedModel = useStudio((s) => s.selectComparedModel);
  const selectId = useId();
  const seconds = (method: ComparedModel) => result.costs.find((c) => c.method === method)?.seconds;
  const shown = result.audit.find((a) => a.method === selected) ?? result.audit[0];

  return (
    <div className="audit">
      <h3>Membership audit and cost</h3>
      <table className="audit-table" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col">AUC</th>
            <th scope="col">Seconds</th>
          </tr>
        </thead>
        <tbody>
          {result.audit.map((a) => (
            <tr key={a.method} className={a.method === shown.method ? 'selected' : undefined} onClick={() => selectComparedModel(a.method)}>
              <th scope="row">{modelTitle(a.method)}</th>
              <td data-testid={`audit-${a.method}-auc`} data-value={a.auc}>
                {a.auc.toFixed(3)}
              </td>
              <td data-testid={`cost-${a.method}`}>
                {a.method === 'retrained' ? `${formatSeconds(seconds(a.method))} training` : formatSeconds(seconds(a.method))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="note">
        AUC of telling forget-set training images from never-seen images of the same classes by their reconstruction loss (0.5: no better than chance).
        The retrained model is the reference the audit should approach.
      </p>
      <p className="note">
        Seconds: each method's unlearning steps on this backend. The retrained reference's training time comes from its card: the cost unlearning must
        beat.
      </p>
      <label htmlFor={selectId} className="audit-select">
        Loss histogram of
        <select id={selectId} value={shown.method} onChange={(e) => selectComparedModel(e.target.value as ComparedModel)}>
          {result.audit.map((a) => (
            <option key={a.method} value={a.method}>
              {modelTitle(a.method)}
            </option>
          ))}
        </select>
      </label>
      <AuditHistogram audit={shown} />
    </div>
  );
}

function AuditHistogram({ audit }: { audit: AuditSummary }) {
  const { min, max, members, nonMembers } = audit.histogram;
  const width = (max - min) / members.length;
  const bins = members.map((count, i) => ({ loss: (min + (i + 0.5) * width).toPrecision(2), members: count, nonMembers: nonMembers[i] }));
  return (
    <div className="audit-histogram" data-testid="audit-histogram" data-method={audit.method}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={bins} margin={{ top: 8, right: 16, bottom: 4, left: 4 }} barGap={0}>
          <CartesianGrid stroke="#e5e7eb" vertical={false} />
          <XAxis dataKey="loss" fontSize={11} label={{ value: 'per-image reconstruction loss (MSE)', position: 'insideBottom', offset: -2, fontSize: 11 }} height={36} />
          <YAxis allowDecimals={false} width={36} fontSize={11} />
          <Tooltip labelFormatter={(loss) => `loss ≈ ${loss}`} />
          <Legend verticalAlign="top" height={24} />
          <Bar dataKey="members" name="members (forget set)" fill="#dc2626" isAnimationActive={false} />
          <Bar dataKey="nonMembers" name="non-members (never seen)" fill="#6b7280" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
