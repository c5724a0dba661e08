import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// Cross-origin isolation lets the wasm backend use its threaded build (SharedArrayBuffer).
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  worker: {
    format: 'es',
    // tfjs-backend-wasm starts its threads from the *source text* of its threaded factory
    // (Function.toString); minifying renames what that text refers to and breaks the threads.
    rolldownOptions: { output: { minify: false } },
  },
  // The worker carries tfjs and its backends (about 2.4 MB): one chunk, loaded once, off the main thread.
  build: { chunkSizeWarningLimit: 2500 },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    // Node has no tfjs-node here: run the core on the es2017 bundles (3x faster than the
    // default entries) and make the wasm backend's own require() of tfjs-core find the same one.
    alias: {
      '@tensorflow/tfjs': require.resolve('@tensorflow/tfjs/dist/tf.es2017.js'),
      '@tensorflow/tfjs-core': require.resolve('@tensorflow/tfjs/dist/tf.es2017.js'),
      '@tensorflow/tfjs-backend-wasm': require.resolve(
        '@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.es2017.js',
      ),
    },
    pool: 'forks',
    execArgv: ['--import', './scripts/node/tfjs-alias.mjs'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
