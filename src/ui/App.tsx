import { useEffect } from 'react';
import { useStudio } from '../state/studio-store';
import { ComparisonPanel } from './ComparisonPanel';
import { ErrorBanner } from './ErrorBanner';
import { ImageSetsPanel } from './ImageSetsPanel';
import { LossChart } from './LossChart';
import { MetricsTable } from './MetricsTable';
import { ReconstructionGrid } from './ReconstructionGrid';
import { SettingsPanel } from './SettingsPanel';
import { Toolbar } from './Toolbar';

export function App() {
  useEffect(() => {
    // initialize() ignores repeat calls, so StrictMode's double effect starts one worker.
    void useStudio.getState().initialize();
  }, []);

  return (
    <div className="studio">
      <Toolbar />
      <ErrorBanner />
      <div className="workspace">
        <aside className="sidebar">
          <ImageSetsPanel />
          <SettingsPanel />
        </aside>
        <main className="results">
          <ReconstructionGrid />
          <LossChart />
          <MetricsTable />
          <ComparisonPanel />
        </main>
      </div>
    </div>
  );
}
