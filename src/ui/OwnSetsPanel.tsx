import { useState, type DragEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { OWN_FORMATS, SET_NAMES, SET_TITLES, formatOf, useOwnSets, type SetName } from '../state/own-sets-store';
import { SKIP_REASONS, formatBytes, type SkipReason } from '../shared/decode-plan';
import { useStudio } from '../state/studio';
import { droppedFiles, pickedFiles } from './dropped-files';
import { Thumbnails } from './Thumbnails';

const HINTS: Record<SetName, string> = {
  forget: 'what the model must forget',
  retain: 'what it must keep; held-out images here judge the retain metrics',
  proxy: 'optional: when given, the retain term trains on it instead of the retain set',
};

/** Shown list of skipped files: the rest are counted, so a drop of many bad files cannot stall the page. */
const REPORT_ROWS = 500;

function SetDropZone({ set, locked }: { set: SetName; locked: boolean }) {
  const { images, formatId } = useOwnSets(useShallow((s) => ({ images: s.sets[set], formatId: s.formatId })));
  const { addFiles, reportUnreadable, clearSet } = useOwnSets.getState();
  const [over, setOver] = useState(false);

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setOver(false);
    if (locked) return;
    // Read during the event: the DataTransfer empties once the handler returns.
    void droppedFiles(event.dataTransfer).then(({ files, unreadable }) => {
      reportUnreadable(set, unreadable);
      return addFiles(set, files);
    });
  };

  return (
    <div
      className={`drop-zone ${set}${over ? ' over' : ''}`}
      data-testid={`drop-${set}`}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <div className="drop-header">
        <strong>{SET_TITLES[set]}</strong>
        <span className="counts" data-testid={`count-${set}`} data-count={images.length}>
          {images.length.toLocaleString('en')} images
        </span>
      </div>
      <p className="note">{HINTS[set]}. Drop images, folders or zips here, or</p>
      <div className="drop-buttons">
        <label className={`small button${locked ? ' disabled' : ''}`}>
          files…
          <input
            type="file"
            multiple
            accept="image/*,.zip,application/zip"
            hidden
            disabled={locked}
            data-testid={`pick-files-${set}`}
            onChange={(event) => {
              void addFiles(set, pickedFiles(event.target.files!));
              event.target.value = '';
            }}
          />
        </label>
        <label className={`small button${locked ? ' disabled' : ''}`}>
          folder…
          <input
            type="file"
            hidden
            disabled={locked}
            data-testid={`pick-folder-${set}`}
            {...{ webkitdirectory: '' }}
            onChange={(event) => {
              void addFiles(set, pickedFiles(event.target.files!));
              event.target.value = '';
            }}
          />
        </label>
        <button type="button" className="small" data-testid={`clear-${set}`} disabled={locked || images.length === 0} onClick={() => void clearSet(set)}>
          Clear
        </button>
      </div>
      {images.length > 0 && <Thumbnails images={images} format={formatOf(formatId)} set={set} />}
    </div>
  );
}

function SkipReport() {
  const skipped = useOwnSets((s) => s.skipped);
  if (skipped.length === 0) return null;
  const counts = new Map<SkipReason, number>();
  skipped.forEach((s) => counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1));
  const byReason = [...counts].map(([reason, count]) => `${count} ${SKIP_REASONS[reason]}`);
  return (
    <details className="skip-report" data-testid="skip-report" data-count={skipped.length} open>
      <summary>
        {skipped.length} file(s) skipped: {byReason.join(', ')}
        <button type="button" className="small" data-testid="skip-report-clear" onClick={() => useOwnSets.getState().clearReport()}>
          Clear list
        </button>
      </summary>
      <ul>
        {skipped.slice(0, REPORT_ROWS).map((s, i) => (
          <li key={i} data-testid="skip-row" data-name={s.name} data-reason={s.reason} data-set={s.set}>
            <code>{s.name}</code> ({SET_TITLES[s.set].toLowerCase()}): {SKIP_REASONS[s.reason]}, {s.detail}
          </li>
        ))}
      </ul>
      {skipped.length > REPORT_ROWS && <p className="note">and {skipped.length - REPORT_ROWS} more</p>}
    </details>
  );
}

function StorageLine() {
  const { storage, storageProblem } = useOwnSets(useShallow((s) => ({ storage: s.storage, storageProblem: s.storageProblem })));
  if (storageProblem) return <p className="note bad" data-testid="storage-problem">{storageProblem}</p>;
  if (!storage) return null;
  return (
    <p className="note" data-testid="storage-usage" data-usage={storage.usage} data-persisted={String(storage.persisted)}>
      Storage: {formatBytes(storage.usage)} of {formatBytes(storage.quota)} used,{' '}
      {storage.persisted ? (
        'kept persistently'
      ) : (
        <>
          may be cleared under storage pressure{' '}
          <button type="button" className="small" data-testid="persist-button" onClick={() => void useOwnSets.getState().askPersistence()}>
            Keep persistently
          </button>
        </>
      )}
    </p>
  );
}

/** The user's own images: three sets filled by drag and drop or pickers, decoded in a worker, saved in IndexedDB. */
export function OwnSetsPanel({ locked }: { locked: boolean }) {
  const { formatId, decoding, queued, error, hasImages, restored } = useOwnSets(
    useShallow((s) => ({
      formatId: s.formatId,
      decoding: s.decoding,
      queued: s.queued,
      error: s.error,
      restored: s.restored,
      hasImages: SET_NAMES.some((n) => s.sets[n].length > 0),
    })),
  );
  const { setFormat, dismissError } = useOwnSets.getState();
  const model = useStudio((s) => s.model);
  const format = formatOf(formatId);
  const describe = (f: { height: number; width: number; channels: number }) => `${f.height}×${f.width} ${f.channels === 1 ? 'grey' : 'colour'}`;
  const mismatch = model && (model.height !== format.height || model.width !== format.width || model.channels !== format.channels);

  return (
    <div className="own-sets" data-testid="own-sets" data-restored={String(restored)}>
      <label className="setting">
        image format{' '}
        <select data-testid="own-format" value={formatId} disabled={hasImages || locked} title={hasImages ? 'clear the sets to change the format' : undefined} onChange={(e) => setFormat(e.target.value)}>
          {OWN_FORMATS.map((f) => (
            <option key={f.id} value={f.id}>
              {f.title}
            </option>
          ))}
        </select>
      </label>
      {mismatch && (
        <p className="note" data-testid="format-mismatch">
          The loaded model ({model.id}) takes {describe(model)} images, these sets are {describe(format)}: train an original on them below, or pick a model or format that matches.
        </p>
      )}
      {error && (
        <div className="error-banner" role="alert" data-testid="own-sets-error">
          <span className="error-message">{error}</span>
          <button type="button" className="small" onClick={dismissError}>
            Dismiss
          </button>
        </div>
      )}
      {decoding && (
        <p className="note" data-testid="decode-progress">
          Decoding into the {decoding.set} set: {decoding.seen.toLocaleString('en')} / {decoding.known.toLocaleString('en')} files, {decoding.added.toLocaleString('en')} added
          {queued > 0 && `, ${queued} more drop(s) waiting`}{' '}
          <button type="button" className="small" data-testid="decode-cancel" onClick={() => useOwnSets.getState().cancelDecode()}>
            Cancel
          </button>
        </p>
      )}
      {SET_NAMES.map((set) => (
        <SetDropZone key={set} set={set} locked={locked} />
      ))}
      <SkipReport />
      <StorageLine />
    </div>
  );
}
