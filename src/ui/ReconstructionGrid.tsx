import { useEffect, useId, useMemo, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { gridAt } from '../state/grid-history';
import { useStudio } from '../state/studio';
import type { ImageStack, ReconstructionGrid as Grid } from '../shared/protocol';
import { TASKS, centredSquare, type TaskSpec } from '../shared/tasks';
import { download } from './download';
import { gridPng } from './grid-png';
import { ImageCanvas, type PixelBox } from './ImageCanvas';
import { runSetLabel } from './run-setup';

type SetName = keyof Grid;
type Column = keyof Grid[SetName];

const SETS: { name: SetName; title: string }[] = [
  { name: 'forget', title: 'Forget set (held-out)' },
  { name: 'retain', title: 'Retain set (held-out)' },
];

const COLUMNS: { key: Column; title: string }[] = [
  { key: 'input', title: 'masked input' },
  { key: 'original', title: 'original' },
  { key: 'unlearned', title: 'unlearned' },
  { key: 'truth', title: 'ground truth' },
];

const THUMB_PX = 84;
const ENLARGED_PX = 224;

/** The square to outline on the input: the hole, or the part outpainting keeps; random patches show for themselves. */
function taskOutline(task: TaskSpec | undefined, stack: ImageStack): PixelBox | undefined {
  if (!task || task.kind === 'random-patches' || task.kind === 'hybrid') return undefined;
  return centredSquare(task.kind === 'centre-hole' ? task.holeFraction : task.keepFraction, Math.min(stack.height, stack.width));
}

interface Selection {
  set: SetName;
  row: number;
}

export function ReconstructionGrid() {
  const { liveGrid, liveStep, history, runPhase, task, sampling, runSetup, classNames } = useStudio(
    useShallow((s) => {
      // The run's own task and sets: the selection may have changed since it ran.
      const taskId = s.runSetup ? s.runSetup.settings.task : s.settings.task;
      return {
        liveGrid: s.grid,
        liveStep: s.gridStep,
        history: s.gridHistory,
        runPhase: s.run.phase,
        task: taskId ? TASKS[taskId] : s.model?.tasks[0],
        sampling: s.sampling,
        runSetup: s.runSetup,
        classNames: s.dataset?.classNames,
      };
    }),
  );
  const [selected, setSelected] = useState<Selection>();
  // The step scrubbed back to; undefined follows the live grid. A step, not an index: thinning the history moves indices.
  const [scrubbedStep, setScrubbedStep] = useState<number>();
  const historyId = useId();
  const scrubbed = scrubbedStep === undefined ? undefined : history.find((s) => s.step === scrubbedStep);
  const grid = useMemo(() => (liveGrid && scrubbed ? gridAt(liveGrid, scrubbed) : liveGrid), [liveGrid, scrubbed]);
  const gridStep = scrubbed?.step ?? liveStep;
  const historyIndex = scrubbed ? history.indexOf(scrubbed) : history.length - 1;
  // A new run clears the grid; a row picked from the old one no longer exists.
  const enlarged = selected && grid && selected.row < grid[selected.set].input.count ? selected : undefined;

  return (
    <section className="panel recon" aria-labelledby="recon-title" data-testid="recon-grid" data-step={gridStep} data-scrubbed={scrubbed !== undefined}>
      <div className="panel-header">
        <h2 id="recon-title">Reconstructions</h2>
        {grid && (
          <span className="muted" data-testid="recon-step">
            step {gridStep}
          </span>
        )}
        {runPhase === 'running' && !scrubbed && <span className="live">live</span>}
        {history.length > 1 && (
          <label htmlFor={historyId} className="history">
            history
            <input
              id={historyId}
              type="range"
              data-testid="recon-history"
              min={0}
              max={history.length - 1}
              value={historyIndex}
              onChange={(e) => {
                const index = Number(e.target.value);
                setScrubbedStep(index === history.length - 1 ? undefined : history[index].step);
              }}
            />
          </label>
        )}
        {scrubbed && (
          <button type="button" className="small" data-testid="recon-live" onClick={() => setScrubbedStep(undefined)}>
            back to latest
          </button>
        )}
        {sampling && (
          <span className="muted" data-testid="recon-sampling">
            sampling {sampling.done}/{sampling.total}
          </span>
        )}
        {grid && (
          <button
            type="button"
            className="small export"
            data-testid="recon-export-png"
            onClick={() => void gridPng(grid, gridStep).then((png) => download(`reconstructions-step-${gridStep}.png`, png))}
          >
            Export PNG
          </button>
        )}
      </div>
      {!grid ? (
        <p className="empty">Press Start to compare the original and unlearned model on held-out images</p>
      ) : (
        <div className="recon-sets">
          {SETS.map(({ name, title }) => (
            <table key={name} className="recon-table">
              <caption data-testid={`recon-caption-${name}`}>
                {title}
                {runSetup && `: ${runSetLabel(runSetup, name, classNames)}`}
              </caption>
              <thead>
                <tr>
                  {COLUMNS.map((c) => (
                    <th key={c.key} scope="col">
                      {c.title}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {Array.from({ length: grid[name].input.count }, (_, row) => (
                  <tr key={row}>
                    {COLUMNS.map((c) => (
                      <td key={c.key}>
                        <button
                          type="button"
                          className="thumb"
                          aria-label={`Enlarge ${name} image ${row + 1}`}
                          onClick={() => setSelected({ set: name, row })}
                        >
                          <ImageCanvas
                            stack={grid[name][c.key]}
                            index={row}
                            displayWidth={THUMB_PX}
                            outline={c.key === 'input' ? taskOutline(task, grid[name].input) : undefined}
                            testId={`recon-${name}-${c.key}-${row}`}
                            label={`${name} image ${row + 1}, ${c.title}`}
                          />
                        </button>
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </div>
      )}
      {enlarged && grid && (
        <EnlargedRow
          grid={grid}
          selection={enlarged}
          title={`${SETS.find((s) => s.name === enlarged.set)!.title} · image ${enlarged.row + 1} · step ${gridStep}`}
          task={task}
          onClose={() => setSelected(undefined)}
        />
      )}
    </section>
  );
}

interface EnlargedRowProps {
  grid: Grid;
  selection: Selection;
  title: string;
  task?: TaskSpec;
  onClose(): void;
}

/** The four images of one row, big; follows the live grid while open. Escape or any click closes it. */
function EnlargedRow({ grid, selection, title, task, onClose }: EnlargedRowProps) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && onClose();
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  const rows = grid[selection.set];
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-label={title} onClick={onClose}>
      <div className="overlay-content">
        <h3>{title}</h3>
        <div className="enlarged-row">
          {COLUMNS.map((c) => (
            <figure key={c.key}>
              <ImageCanvas
                stack={rows[c.key]}
                index={selection.row}
                displayWidth={ENLARGED_PX}
                outline={c.key === 'input' ? taskOutline(task, rows.input) : undefined}
                label={`${c.title}, enlarged`}
              />
              <figcaption>{c.title}</figcaption>
            </figure>
          ))}
        </div>
        <button type="button" autoFocus onClick={onClose}>
          Close
        </button>
      </div>
    </div>
  );
}
