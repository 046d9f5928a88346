// Vite config for the renderer (React). Root is renderer/; the build goes to dist/renderer with
// relative asset URLs (base './') so the same build works when served over HTTP by the server and
// when the desktop app loads it from a file.
// (No node: imports here — test/import-boundaries keeps renderer/ free of them; Vite supplies
// import.meta.dirname when it loads this file.)
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = import.meta.dirname;

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: `${here}/../dist/renderer`,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev:renderer`: proxy API calls to a running `djp serve` (DJP_API, default :8080).
    proxy: { '/api': process.env.DJP_API ?? 'http://127.0.0.1:8080' },
  },
});
