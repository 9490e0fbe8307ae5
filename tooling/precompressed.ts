/**
 * Compressed copies of the build's scripts and ORT runtimes, written once at build time, and
 * the preview server's (`npm start`) middleware that serves them with the right headers.
 *
 * Why: ORT's WASM runtime is 14 MB (27 MB with WebGPU) and is most of a first visit's bytes.
 * Vite's preview server gzips text on the fly but sends `application/wasm` uncompressed;
 * compressing 14 MB per request would cost the server seconds. Brotli at quality 5 takes the
 * plain runtime to 2.83 MB in about 4 s on this machine (quality 9: 2.70 MB in 15 s); gzip at
 * level 9 to 3.70 MB in under 2 s, for clients that do not send `br` (some browsers offer it
 * over HTTPS only; Chromium offers it to http://127.0.0.1). A static host that serves `.br` and
 * `.gz` siblings, or compresses by itself, gets the same bytes from these files.
 *
 *   GET /assets/x.wasm, Accept-Encoding: br   → dist/assets/x.wasm.br, Content-Encoding: br
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'vite';

const TYPES: Readonly<Record<string, string>> = Object.freeze({
  '.wasm': 'application/wasm',
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
});
/** Smaller files gain nothing worth a second request header's bytes. */
const MIN_BYTES = 1024;
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

async function compressFile(file: string): Promise<void> {
  const bytes = await readFile(file);
  const [br, gz] = await Promise.all([
    brotli(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
    gzipped(bytes, { level: 9 }),
  ]);
  await Promise.all([writeFile(`${file}.br`, br), writeFile(`${file}.gz`, gz)]);
}

/** The files of `dir` (recursively) worth compressing. */
function compressible(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return compressible(path);
    return TYPES[extname(entry.name)] && statSync(path).size >= MIN_BYTES ? [path] : [];
  });
}

export function precompressed(): Plugin {
  let outDir = resolve('dist');
  let headers: Record<string, string> = {};

  const serve = (request: IncomingMessage, response: ServerResponse, next: () => void): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://preview').pathname);
    const type = TYPES[extname(path)];
    const file = join(outDir, normalize(path));
    if (!type || !file.startsWith(outDir + sep)) return next();
    const accepted = String(request.headers['accept-encoding'] ?? '');
    const encoding = ENCODINGS.find((e) => new RegExp(`\\b${e.name}\\b`).test(accepted) && existsSync(file + e.suffix));
    if (!encoding) return next();
    response.statusCode = 200;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.setHeader('Content-Type', type);
    response.setHeader('Content-Encoding', encoding.name);
    response.setHeader('Content-Length', statSync(file + encoding.suffix).size);
    response.setHeader('Vary', 'Accept-Encoding');
    // Built assets carry a content hash in their names: they never change under the same URL.
    response.setHeader('Cache-Control', path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    if (request.method === 'HEAD') return void response.end();
    createReadStream(file + encoding.suffix).pipe(response);
  };

  return {
    name: 'vlm-precompressed',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
      headers = Object.fromEntries(Object.entries(config.preview.headers ?? {}).map(([k, v]) => [k, String(v)]));
    },
    async writeBundle() {
      // Only the build's own assets: the models' folders are left as they are (their ONNX
      // weights barely compress, and their byte progress counts uncompressed bytes).
      const assets = join(outDir, 'assets');
      if (existsSync(assets)) await Promise.all(compressible(assets).map(compressFile));
    },
    configurePreviewServer(server) {
      server.middlewares.use(serve);
    },
  };
}
