import { useMemo } from 'react';
import { CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import { useStudio, type ComparisonResult } from '../state/studio';
import { CALIBRATED } from '../shared/compared';
import type { ComparedModel } from '../shared/protocol';
import { signed } from './format';
import { paretoFront, tradeOffPoints, type TradeOffPoint } from './trade-off';

type Kind = 'reference' | 'method' | 'calibrated' | 'sweep';

const KINDS: { kind: Kind; name: string; fill: string; shape: 'star' | 'circle' | 'triangle' | 'square' }[] = [
  { kind: 'reference', name: 'original and retrained', fill: '#111827', shape: 'star' },
  { kind: 'method', name: 'methods', fill: '#6b7280', shape: 'circle' },
  { kind: 'calibrated', name: 'paper, calibrated', fill: '#16a34a', shape: 'triangle' },
  { kind: 'sweep', name: 'paper, sweep', fill: '#dc2626', shape: 'square' },
];

function kindOf(method: ComparedModel): Kind {
  if (method === 'original' || method === 'retrained') return 'reference';
  if (method === CALIBRATED) return 'calibrated';
  return method.startsWith('sweep ') ? 'sweep' : 'method';
}

/**
 * Forget-quality drop against retain-quality drop, one point per model, with the Pareto front:
 * where exact unlearning (the retrained model) sits among the settings and methods. A point can be
 * loaded into the settings.
 */
export function TradeOffChart({ result, selected, title }: { result: ComparisonResult; selected: ComparedModel; title: (method: ComparedModel) => string }) {
  const selectComparedModel = useStudio((s) => s.selectComparedModel);
  const loadComparedSettings = useStudio((s) => s.loadComparedSettings);
  const points = useMemo(() => tradeOffPoints(result.rows), [result.rows]);
  const front = useMemo(() => paretoFront(points), [points]);
  const shown = points.find((p) => p.method === selected);
  const loadable = shown && kindOf(shown.method) !== 'reference';
  const select = (point: unknown) => {
    const method = (point as { payload?: TradeOffPoint })?.payload?.method;
    if (method) selectComparedModel(method);
  };

  return (
    <div className="trade-off">
      <h3>Trade-off: forgetting against keeping</h3>
      <div className="trade-off-chart" data-testid="tradeoff-chart" data-points={points.length} data-front={front.map((p) => p.method).join('|')}>
        <ResponsiveContainer width="100%" height="100%">
          <ScatterChart margin={{ top: 8, right: 16, bottom: 16, left: 4 }}>
            <CartesianGrid stroke="#e5e7eb" />
            <XAxis type="number" dataKey="retainDrop" name="retain PSNR drop" unit=" dB" fontSize={11} label={{ value: 'retain PSNR drop (dB): lower keeps more', position: 'insideBottom', offset: -8, fontSize: 11 }} />
            <YAxis type="number" dataKey="forgetDrop" name="forget PSNR drop" unit=" dB" width={56} fontSize={11} label={{ value: 'forget drop', angle: -90, position: 'insideLeft', fontSize: 11 }} />
            <ZAxis range={[70, 70]} />
            <Tooltip
              formatter={(value) => (typeof value === 'number' ? value.toFixed(2) : String(value))}
              labelFormatter={() => ''}
            />
            <Legend verticalAlign="top" height={24} />
            <Scatter name="Pareto front" data={front} line={{ stroke: '#9ca3af', strokeDasharray: '4 3' }} shape={() => <g />} legendType="plainline" isAnimationActive={false} />
            {KINDS.map((k) => (
              <Scatter
                key={k.kind}
                name={k.name}
                data={points.filter((p) => kindOf(p.method) === k.kind)}
                fill={k.fill}
                shape={k.shape}
                onClick={select}
                isAnimationActive={false}
              />
            ))}
          </ScatterChart>
        </ResponsiveContainer>
      </div>
      <p className="note" data-testid="tradeoff-selected">
        {shown
          ? `${title(shown.method)}: forget PSNR ${signed(-shown.forgetDrop)} dB, retain PSNR ${signed(-shown.retainDrop)} dB${front.some((p) => p.method === shown.method) ? ', on the Pareto front' : ''}. `
          : 'Click a point (or a row of the table) to pick a model. '}
        {loadable && (
          <button type="button" className="small" data-testid="tradeoff-load" onClick={() => loadComparedSettings(shown.method)}>
            Load its settings
          </button>
        )}
      </p>
      <p className="note">
        The retrained model marks exact unlearning: a method that forgets much more than it does overshoots (the membership audit can tell), one that forgets
        less leaves the forget set recoverable. Sweep points come from the α and steps lists given before comparing.
      </p>
    </div>
  );
}
