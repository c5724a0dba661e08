import { useId, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStudio } from '../state/studio';
import type { StepReport } from '../shared/protocol';

/** More points than pixels only slows the redraw on every step. */
const MAX_POINTS = 600;

type LossKey = 'retainLoss' | 'weightedForgetLoss' | 'total';
type ChartPoint = Pick<StepReport, 'step'> & Record<LossKey, number | null>;

const SERIES: { key: LossKey; name: string; color: string }[] = [
  { key: 'retainLoss', name: 'L_R', color: '#2563eb' },
  { key: 'weightedForgetLoss', name: 'α·L_F', color: '#dc2626' },
  { key: 'total', name: 'total', color: '#374151' },
];

/** Every k-th report, always ending on the latest one so the line reaches the current step. */
function downsample(curve: StepReport[]): StepReport[] {
  if (curve.length <= MAX_POINTS) return curve;
  const stride = Math.ceil(curve.length / MAX_POINTS);
  const sampled = curve.filter((_, i) => i % stride === 0);
  if (sampled.at(-1) !== curve.at(-1)) sampled.push(curve.at(-1)!);
  return sampled;
}

/** A log axis cannot place 0 (α = 0 gives α·L_F = 0): leave a gap instead. */
function toPoints(curve: StepReport[], logScale: boolean): ChartPoint[] {
  const positive = (v: number) => (logScale && !(v > 0) ? null : v);
  return curve.map((r) => ({
    step: r.step,
    retainLoss: positive(r.retainLoss),
    weightedForgetLoss: positive(r.weightedForgetLoss),
    total: positive(r.total),
  }));
}

const formatLoss = (value: unknown) => (typeof value === 'number' ? value.toPrecision(4) : String(value));

export function LossChart() {
  const curve = useStudio((s) => s.curve);
  const totalSteps = useStudio((s) => s.run.totalSteps);
  const [logScale, setLogScale] = useState(false);
  const logId = useId();
  const points = useMemo(() => toPoints(downsample(curve), logScale), [curve, logScale]);
  const lastStep = curve.at(-1)?.step ?? 0;

  return (
    <section className="panel loss" aria-labelledby="loss-title">
      <div className="panel-header">
        <h2 id="loss-title">Loss</h2>
        <label htmlFor={logId} className="toggle">
          <input id={logId} type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} />
          log scale
        </label>
      </div>
      <div className="chart" data-testid="loss-chart" data-points={curve.length}>
        {curve.length === 0 ? (
          <p className="empty">Press Start to watch the losses</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={points} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
              <CartesianGrid stroke="#e5e7eb" />
              {/* The full run on x, so the line's length shows progress. */}
              <XAxis dataKey="step" type="number" domain={[0, Math.max(totalSteps, lastStep)]} tickCount={6} fontSize={11} />
              <YAxis
                scale={logScale ? 'log' : 'linear'}
                domain={logScale ? ['dataMin', 'dataMax'] : ['auto', 'auto']}
                tickFormatter={(v: number) => v.toPrecision(2)}
                width={52}
                fontSize={11}
              />
              <Tooltip
                formatter={formatLoss}
                labelFormatter={(step) => `step ${step}`}
                itemSorter={(item) => SERIES.findIndex((s) => s.key === item.dataKey)}
              />
              <Legend verticalAlign="top" height={24} iconType="plainline" itemSorter={null} />
              {SERIES.map((s) => (
                <Line
                  key={s.key}
                  dataKey={s.key}
                  name={s.name}
                  stroke={s.color}
                  dot={false}
                  strokeWidth={s.key === 'total' ? 2 : 1.5}
                  isAnimationActive={false}
                />
              ))}
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </section>
  );
}
