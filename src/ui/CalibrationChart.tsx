import { useShallow } from 'zustand/react/shallow';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStudio } from '../state/studio';
import type { RunCalibration } from '../shared/calibration';
import { hasEnded } from '../state/run-phase';

const FORGET_COLOR = '#dc2626';
const RETAIN_COLOR = '#2563eb';

/** Where a calibrated run is, in words: measuring towards its target, or why its steps ended. */
function status(calibration: RunCalibration, ended: boolean, lastStep: number): string {
  const { target, end } = calibration;
  if (!target) return 'measuring the target and the original on the calibration images…';
  const goal = `target ${target.forgetPsnr.toFixed(2)} dB: ${target.source}`;
  if (end?.reason === 'target reached') return `Stopped at step ${end.step}: the forget set reached its target (${goal}).`;
  if (end?.reason === 'step budget') return `Ran its ${end.step} steps without the forget set reaching its target (${goal}): more steps, a higher α or learning rate would get there.`;
  if (ended) return `Stopped by you at step ${lastStep}, before the forget set reached its target (${goal}).`;
  return `Measuring every ${calibration.request.every} steps; the run stops once the forget PSNR is at or below the ${goal}.`;
}

/** Stop at target: forget and retain PSNR on the calibration images against the step, with the target and the original as lines. */
export function CalibrationChart() {
  const { calibration, totalSteps, phase } = useStudio(useShallow((s) => ({ calibration: s.calibration, totalSteps: s.run.totalSteps, phase: s.run.phase })));
  if (!calibration) return null;
  const { curve, target, original } = calibration;
  const lastStep = curve.at(-1)?.step ?? 0;
  const values = [...curve.flatMap((p) => [p.forgetPsnr, p.retainPsnr]), ...(target ? [target.forgetPsnr] : []), ...(original ? [original.forgetPsnr, original.retainPsnr] : [])];
  const domain: [number, number] = values.length ? [Math.floor(Math.min(...values) - 0.5), Math.ceil(Math.max(...values) + 0.5)] : [0, 20];
  return (
    <section className="panel calibration" aria-labelledby="calibration-title">
      <h2 id="calibration-title">Stop at target</h2>
      <p className="note" data-testid="calibration-status" data-reason={calibration.end?.reason ?? ''}>
        {status(calibration, hasEnded(phase), lastStep)}
      </p>
      <div className="chart" data-testid="calibration-chart" data-points={curve.length}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={curve} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
            <CartesianGrid stroke="#e5e7eb" />
            <XAxis dataKey="step" type="number" domain={[0, Math.max(totalSteps, lastStep, 1)]} tickCount={6} fontSize={11} />
            <YAxis domain={domain} tickFormatter={(v: number) => v.toFixed(0)} width={44} fontSize={11} label={{ value: 'PSNR (dB)', angle: -90, position: 'insideLeft', fontSize: 11 }} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(2)} dB` : String(v))} labelFormatter={(step) => `step ${step}`} />
            <Legend verticalAlign="top" height={24} iconType="plainline" />
            {target && <ReferenceLine y={target.forgetPsnr} stroke={FORGET_COLOR} strokeDasharray="6 3" label={{ value: 'target', position: 'insideBottomRight', fontSize: 11 }} />}
            {original && <ReferenceLine y={original.forgetPsnr} stroke="#9ca3af" strokeDasharray="2 3" label={{ value: 'original forget', position: 'insideTopRight', fontSize: 11 }} />}
            {original && <ReferenceLine y={original.retainPsnr} stroke="#9ca3af" strokeDasharray="2 3" label={{ value: 'original retain', position: 'insideBottomRight', fontSize: 11 }} />}
            <Line dataKey="forgetPsnr" name="forget PSNR" stroke={FORGET_COLOR} dot isAnimationActive={false} />
            <Line dataKey="retainPsnr" name="retain PSNR" stroke={RETAIN_COLOR} dot isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
}
