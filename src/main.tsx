import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { useStudio, workerClient } from './state/studio';
import { App } from './ui/App';
import './ui/styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// On the page, for scripting from the console, `npm run bench` (which drives the worker through
// the store) and the end-to-end tests (which kill the worker or lose its GPU through the client).
Object.assign(globalThis, { unlearningStudio: useStudio, unlearningWorker: workerClient });
