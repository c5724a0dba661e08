import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { useStudio } from './state/studio-store';
import { App } from './ui/App';
import './ui/styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);

// The store on the page, for scripting from the console and for `npm run bench` (which drives the worker through it).
Object.assign(globalThis, { unlearningStudio: useStudio });
