/**
 * The production build (dist/, from `npm run build`) and how `vite preview` (`npm start`)
 * serves it: the product only, no benchmark page; ORT's runtimes precompressed and served
 * with the headers a browser needs to decode and run them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, stopAll } from './harness';

afterAll(stopAll);

function files(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]));
}

const built = files('dist').filter((f) => !f.startsWith('models/'));

it('holds the product only: no benchmark page, benchmark script or benchmark worker', () => {
  expect(built).toContain('index.html');
  expect(built.filter((f) => /bench|echo|page-models/i.test(f))).toEqual([]);
  const scripts = built.filter((f) => f.endsWith('.js'));
  expect(scripts.some((f) => f.includes('inference.worker'))).toBe(true);
  for (const f of scripts) expect(readFileSync(join('dist', f), 'utf8')).not.toMatch(/benchModels|__vlmBench|echo\.worker/);
});

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

function fetchRaw(url: string, acceptEncoding: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': acceptEncoding } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

describe("ORT's WASM runtimes from the preview server", () => {
  const runtimes = built.filter((f) => f.endsWith('.wasm'));

  it('the build has the WASM-only runtime and the one with WebGPU, each with .br and .gz copies', () => {
    expect(runtimes.some((f) => /ort-wasm-simd-threaded-[\w-]+\.wasm$/.test(f))).toBe(true);
    expect(runtimes.some((f) => /ort-wasm-simd-threaded\.asyncify-[\w-]+\.wasm$/.test(f))).toBe(true);
    for (const f of runtimes) expect(built).toEqual(expect.arrayContaining([`${f}.br`, `${f}.gz`]));
  });

  it.each([
    ['br', brotliDecompressSync],
    ['gzip', gunzipSync],
  ] as const)('sends the %s copy with its encoding, the wasm type, isolation headers, and the same bytes once decoded', async (encoding, decode) => {
    const base = await startServer();
    const file = runtimes.find((f) => !f.includes('asyncify'))!;
    const original = readFileSync(join('dist', file));
    const answer = await fetchRaw(`${base}${file}`, encoding);
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe(encoding);
    expect(answer.headers['content-type']).toBe('application/wasm');
    expect(answer.headers['cross-origin-embedder-policy']).toBe('require-corp');
    expect(answer.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(answer.body.length).toBeLessThan(original.length / 3);
    expect(Number(answer.headers['content-length'])).toBe(answer.body.length);
    expect(decode(answer.body).equals(original)).toBe(true);
  });

  it('sends the file as it is to a client that accepts no encoding', async () => {
    const base = await startServer();
    const file = runtimes.find((f) => !f.includes('asyncify'))!;
    const answer = await fetchRaw(`${base}${file}`, 'identity');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.body.equals(readFileSync(join('dist', file)))).toBe(true);
  });
});
