import { useEffect } from 'react';
import { startStudio, useStudio } from '../state/studio';
import { CalibrationChart } from './CalibrationChart';
import { ComparisonPanel } from './ComparisonPanel';
import { ErrorBanner } from './ErrorBanner';
import { FirstRunGuide } from './FirstRunGuide';
import { ImageSetsPanel } from './ImageSetsPanel';
import { LossChart } from './LossChart';
import { MetricsTable } from './MetricsTable';
import { NoiseLevelChart } from './NoiseLevelChart';
import { OwnModelPanel } from './OwnModelPanel';
import { ReconstructionGrid } from './ReconstructionGrid';
import { PastRunNote } from './PastRunNote';
import { ResumeOffer } from './ResumeOffer';
import { RunExports } from './RunExports';
import { RunHistory } from './RunHistory';
import { SettingsPanel } from './SettingsPanel';
import { Toolbar } from './Toolbar';

export function App() {
  const dataSource = useStudio((s) => s.dataSource);
  useEffect(() => {
    // startStudio() ignores repeat calls, so StrictMode's double effect starts the studio once.
    startStudio();
  }, []);

  return (
    <div className="studio">
      <Toolbar />
      <ErrorBanner />
      <ResumeOffer />
      <FirstRunGuide />
      {/* Your own images get a wide column: drop zones, thumbnails and the model panel need the room. */}
      <div className={dataSource === 'own' ? 'workspace own' : 'workspace'}>
        <aside className="sidebar">
          <ImageSetsPanel />
          <OwnModelPanel />
          <SettingsPanel />
        </aside>
        <main className="results">
          <PastRunNote />
          <ReconstructionGrid />
          <LossChart />
          <CalibrationChart />
          <NoiseLevelChart />
          <MetricsTable />
          <RunExports />
          <RunHistory />
          <ComparisonPanel />
        </main>
      </div>
    </div>
  );
}
