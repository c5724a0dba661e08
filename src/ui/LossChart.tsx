import { useId, useMemo, useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStudio } from '../state/studio';
import type { StepReport } from '../shared/protocol';
import { smooth } from './smoothing';
import { useThrottled } from './staged';

/** More points than pixels only slows the redraw on every step. */
const MAX_POINTS = 400;
const CHART_REDRAW_MS = 500;

type LossKey = 'retainLoss' | 'weightedForgetLoss' | 'total';
/** Each loss as it was (`<key>Raw`, drawn faint) and smoothed (`<key>`). */
type ChartPoint = Pick<StepReport, 'step'> & Record<LossKey | `${LossKey}Raw`, number | null>;

/** TensorBoard's default: steady enough to read a trend, quick enough to see a jump. */
const DEFAULT_SMOOTHING = 0.6;

const SERIES: { key: LossKey; name: string; color: string }[] = [
  { key: 'retainLoss', name: 'L_R', color: '#2563eb' },
  { key: 'weightedForgetLoss', name: 'α·L_F', color: '#dc2626' },
  { key: 'total', name: 'total', color: '#374151' },
];

/** Every k-th report, always ending on the latest one so the line reaches the current step. */
function downsample<T>(curve: T[]): T[] {
  if (curve.length <= MAX_POINTS) return curve;
  const stride = Math.ceil(curve.length / MAX_POINTS);
  const sampled = curve.filter((_, i) => i % stride === 0);
  if (sampled.at(-1) !== curve.at(-1)) sampled.push(curve.at(-1)!);
  return sampled;
}

/** A log axis cannot place 0 (α = 0 gives α·L_F = 0): leave a gap instead. */
function toPoints(curve: StepReport[], logScale: boolean, smoothing: number): ChartPoint[] {
  const positive = (v: number) => (logScale && !(v > 0) ? null : v);
  const raw = Object.fromEntries(SERIES.map(({ key }) => [key, curve.map((r) => positive(r[key]))])) as Record<LossKey, (number | null)[]>;
  const smoothed = Object.fromEntries(SERIES.map(({ key }) => [key, smooth(raw[key], smoothing)])) as Record<LossKey, (number | null)[]>;
  return curve.map((r, i) => ({
    step: r.step,
    retainLoss: smoothed.retainLoss[i],
    weightedForgetLoss: smoothed.weightedForgetLoss[i],
    total: smoothed.total[i],
    retainLossRaw: raw.retainLoss[i],
    weightedForgetLossRaw: raw.weightedForgetLoss[i],
    totalRaw: raw.total[i],
  }));
}

const formatLoss = (value: unknown) => (typeof value === 'number' ? value.toPrecision(4) : String(value));

export function LossChart() {
  const liveCurve = useStudio((s) => s.curve);
  // A step arrives every 100 ms on a fast backend: the chart redraws twice a second, in a transition.
  const curve = useThrottled(liveCurve, CHART_REDRAW_MS);
  const totalSteps = useStudio((s) => s.run.totalSteps);
  const [logScale, setLogScale] = useState(false);
  const [smoothing, setSmoothing] = useState(DEFAULT_SMOOTHING);
  const logId = useId();
  const smoothingId = useId();
  // Smoothed over every step, then thinned: thinning first would smooth over a coarser curve.
  const points = useMemo(() => downsample(toPoints(curve, logScale, smoothing)), [curve, logScale, smoothing]);
  const lastStep = curve.at(-1)?.step ?? 0;

  return (
    <section className="panel loss" aria-labelledby="loss-title">
      <div className="panel-header">
        <h2 id="loss-title">Loss</h2>
        <label htmlFor={smoothingId} className="toggle">
          smoothing
          <input
            id={smoothingId}
            data-testid="loss-smoothing"
            type="range"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            onChange={(e) => setSmoothing(Number(e.target.value))}
          />
          <span className="muted">{smoothing.toFixed(2)}</span>
        </label>
        <label htmlFor={logId} className="toggle">
          <input id={logId} type="checkbox" checked={logScale} onChange={(e) => setLogScale(e.target.checked)} />
          log scale
        </label>
      </div>
      {/* Mounted before the first step: mounting the chart when a run starts blocked the page for a few hundred ms. */}
      <div className="chart" data-testid="loss-chart" data-points={liveCurve.length} data-smoothing={smoothing}>
        {curve.length === 0 && <p className="empty chart-overlay">Press Start to watch the losses</p>}
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
            <CartesianGrid stroke="#e5e7eb" />
            {/* The full run on x, so the line's length shows progress. */}
            <XAxis dataKey="step" type="number" domain={[0, Math.max(totalSteps, lastStep, 1)]} tickCount={6} fontSize={11} />
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
            {smoothing > 0 &&
              SERIES.map((s) => (
                <Line
                  key={`${s.key}Raw`}
                  dataKey={`${s.key}Raw`}
                  stroke={s.color}
                  strokeOpacity={0.25}
                  dot={false}
                  strokeWidth={1}
                  isAnimationActive={false}
                  legendType="none"
                  tooltipType="none"
                />
              ))}
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
      </div>
    </section>
  );
}
