import { useId, useMemo } from 'react';
import { CartesianGrid, Legend, ResponsiveContainer, Scatter, ScatterChart, Tooltip, XAxis, YAxis, ZAxis } from 'recharts';
import type { ComparedModel, ComparedProjection, Point2d } from '../shared/protocol';

type Series = 'forgetTruth' | 'forgetOutput' | 'retainTruth' | 'retainOutput';

/** Forget in red, retain in blue; truths are pale circles, outputs dark triangles drawn over them. */
const SERIES: { key: Series; name: string; fill: string; shape: 'circle' | 'triangle' }[] = [
  { key: 'forgetTruth', name: 'forget ground truth', fill: '#fca5a5', shape: 'circle' },
  { key: 'retainTruth', name: 'retain ground truth', fill: '#93c5fd', shape: 'circle' },
  { key: 'forgetOutput', name: 'forget output', fill: '#b91c1c', shape: 'triangle' },
  { key: 'retainOutput', name: 'retain output', fill: '#1d4ed8', shape: 'triangle' },
];

const toXy = (points: Point2d[]) => points.map(([x, y]) => ({ x, y }));

export function ProjectionScatter({
  projection,
  selected,
  title,
  onSelect,
}: {
  projection: ComparedProjection[];
  selected: ComparedModel;
  title: (method: ComparedModel) => string;
  onSelect: (method: ComparedModel) => void;
}) {
  const selectId = useId();
  const shown = projection.find((p) => p.method === selected) ?? projection[0];
  // Axes span every model's points, so switching models moves the points, not the frame.
  const domain = useMemo(() => {
    const all = projection.flatMap((p) => SERIES.flatMap((s) => p[s.key]));
    const bounds = (axis: 0 | 1): [number, number] => [Math.min(...all.map((p) => p[axis])), Math.max(...all.map((p) => p[axis]))];
    return { x: bounds(0), y: bounds(1) };
  }, [projection]);
  const points = SERIES.reduce((total, s) => total + shown[s.key].length, 0);

  return (
    <div className="projection">
      <h3>Embeddings of outputs and ground truth</h3>
      <label htmlFor={selectId} className="audit-select">
        Scatter of
        <select id={selectId} data-testid="projection-select" value={shown.method} onChange={(e) => onSelect(e.target.value as ComparedModel)}>
          {projection.map((p) => (
            <option key={p.method} value={p.method}>
              {title(p.method)}
            </option>
          ))}
        </select>
      </label>
      <div className="projection-scatter" data-testid="projection-scatter" data-method={shown.method} data-points={points}>
        <ResponsiveContainer width="100%" height="100%">
          <ScatterChart margin={{ top: 8, right: 16, bottom: 4, left: 4 }}>
            <CartesianGrid stroke="#e5e7eb" />
            <XAxis type="number" dataKey="x" domain={domain.x} tick={false} name="UMAP 1" height={8} />
            <YAxis type="number" dataKey="y" domain={domain.y} tick={false} name="UMAP 2" width={8} />
            {/* Small fixed-size marks: a few hundred points per series would blot each other out at recharts' default size. */}
            <ZAxis range={[24, 24]} />
            <Tooltip formatter={(value) => (typeof value === 'number' ? value.toFixed(2) : String(value))} />
            <Legend verticalAlign="top" height={24} />
            {SERIES.map((s) => (
              <Scatter key={s.key} name={s.name} data={toXy(shown[s.key])} fill={s.fill} shape={s.shape} isAnimationActive={false} />
            ))}
          </ScatterChart>
        </ResponsiveContainer>
      </div>
      <p className="note">UMAP of the studio classifier's embeddings; forgetting shows as forget outputs leaving the forget ground truth's cluster.</p>
    </div>
  );
}
