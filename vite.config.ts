import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { hubMirror } from './tooling/hub-mirror';
import { precompressed } from './tooling/precompressed';
import { csp } from './tooling/csp';

// Cross-origin isolation lets ORT run multi-threaded WASM; everything the app loads is its own.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

// `vite build` builds the product alone into dist/. `vite build --mode bench` (npm run bench)
// builds the app and the benchmark's own page (bench.html, its worker) into dist-bench/, and
// `vite preview --mode bench` serves that.
export default defineConfig(({ mode }) => {
  const bench = mode === 'bench';
  const input: Record<string, string> = bench ? { main: 'index.html', bench: 'bench.html' } : { main: 'index.html' };
  return {
    plugins: [svelte(), csp(), hubMirror(), precompressed()],
    publicDir: 'static',
    // "mpa": a missing file (say a model's tokenizer.json) is a 404, not index.html with status
    // 200, which transformers.js would take for the file.
    appType: 'mpa',
    server: { headers: isolation, port: 5173 },
    preview: { headers: isolation, port: 4173 },
    worker: { format: 'es' },
    build: {
      target: 'esnext',
      outDir: bench ? 'dist-bench' : 'dist',
      chunkSizeWarningLimit: 2000,
      rollupOptions: { input },
    },
    optimizeDeps: { exclude: ['onnxruntime-web', '@huggingface/transformers'] },
  };
});
