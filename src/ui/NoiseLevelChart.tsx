import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useStudio } from '../state/studio';
import type { NoiseLevelBucket } from '../shared/protocol';

type Measure = 'noise' | 'distance';

const MEASURES: Record<Measure, { title: string; forget: keyof NoiseLevelBucket; retain: keyof NoiseLevelBucket; help: string }> = {
  noise: {
    title: 'one-step ε-prediction error',
    forget: 'forgetNoiseError',
    retain: 'retainNoiseError',
    help: 'The denoiser’s training loss over the hidden pixels: forgetting shows as a higher error on forget images than on retain ones, at the levels where it happened.',
  },
  distance: {
    title: 'encoder distance (L_F, L_R)',
    forget: 'forgetDistance',
    retain: 'retainDistance',
    help: 'L_F on forget images (to the original’s encoding of noise: lower is more forgotten) and L_R on retain images (to the original’s own encoding: lower keeps more).',
  },
};

/**
 * A diffusion model's run, per bucket of noise levels: where sampling-based PSNR may not show it,
 * whether the denoiser forgot at high noise, low noise or not at all.
 */
export function NoiseLevelChart() {
  const noiseLevels = useStudio((s) => s.noiseLevels);
  const [measure, setMeasure] = useState<Measure>('noise');
  if (!noiseLevels) return null;
  const m = MEASURES[measure];
  const data = noiseLevels.original.map((bucket, i) => ({
    levels: `t ${bucket.tFrom}–${bucket.tTo}`,
    forgetOriginal: bucket[m.forget] as number,
    forgetUnlearned: noiseLevels.unlearned[i][m.forget] as number,
    retainOriginal: bucket[m.retain] as number,
    retainUnlearned: noiseLevels.unlearned[i][m.retain] as number,
  }));
  return (
    <section className="panel noise-levels" aria-labelledby="noise-levels-title">
      <div className="panel-header">
        <h2 id="noise-levels-title">By noise level</h2>
        <select data-testid="noise-levels-measure" aria-label="measure" value={measure} onChange={(e) => setMeasure(e.target.value as Measure)}>
          {(Object.keys(MEASURES) as Measure[]).map((key) => (
            <option key={key} value={key}>
              {MEASURES[key].title}
            </option>
          ))}
        </select>
      </div>
      <div className="chart" data-testid="noise-levels-chart" data-buckets={data.length}>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
            <CartesianGrid stroke="#e5e7eb" vertical={false} />
            <XAxis dataKey="levels" fontSize={11} />
            <YAxis width={52} fontSize={11} tickFormatter={(v: number) => v.toPrecision(2)} />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toPrecision(4) : String(v))} />
            <Legend verticalAlign="top" height={24} />
            <Bar dataKey="forgetOriginal" name="forget, original" fill="#fca5a5" isAnimationActive={false} />
            <Bar dataKey="forgetUnlearned" name="forget, unlearned" fill="#b91c1c" isAnimationActive={false} />
            <Bar dataKey="retainOriginal" name="retain, original" fill="#93c5fd" isAnimationActive={false} />
            <Bar dataKey="retainUnlearned" name="retain, unlearned" fill="#1d4ed8" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <p className="note">
        {m.help} Buckets of timesteps (t = 0 is clean), {noiseLevels.original.length} of them, on held-out images; the masks and noise are the same for both models.
      </p>
    </section>
  );
}
