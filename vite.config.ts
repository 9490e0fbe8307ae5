import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { hubMirror } from './tooling/hub-mirror';

// Cross-origin isolation lets ORT run multi-threaded WASM; everything the app loads is its own.
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [svelte(), hubMirror()],
  publicDir: 'static',
  // "mpa": a missing file (say a model's tokenizer.json) is a 404, not index.html with status
  // 200, which transformers.js would take for the file.
  appType: 'mpa',
  server: { headers: isolation, port: 5173 },
  preview: { headers: isolation, port: 4173 },
  worker: { format: 'es' },
  build: {
    target: 'esnext',
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  optimizeDeps: { exclude: ['onnxruntime-web', '@huggingface/transformers'] },
});
