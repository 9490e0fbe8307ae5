/**
 * Part "first visit" of the benchmark. Every load is a new browser context, so nothing is
 * cached or remembered (HTTP cache, Cache Storage, IndexedDB, localStorage all empty), as for a
 * person opening the app for the first time. The default URL, `?device=wasm` and `?threads=2`
 * are loaded in turn, so all meet the same load of the machine. For each load: the time from
 * navigation to the first complete live matrix (the page's clock starts at navigation), the
 * backend that ran and why, and every byte downloaded before that matrix, by kind of file.
 * The default URL opens the front door, whose Contrastive thumbnail is that matrix (live from the
 * same model, started before the page mounts); the time is when both the lab's matrix (mounted,
 * hidden) and the thumbnail were live.
 *
 * Its own browser, without the tests' request routing: routing sends every request through
 * this process (slower, and it turns the HTTP cache off). Requests that leave localhost are
 * counted instead; there is no network here, so they could only fail.
 */
import { resolve } from 'node:path';
import { preview, type PreviewServer } from 'vite';
import { chromium, type Browser, type Request } from 'playwright-core';
import { CHROMIUM, FLAGS, startServer } from '../browser/harness';

/**
 * The default URL (the front door); WASM asked for (no adapter probe); two WASM threads instead
 * of the default one here; the Contrastive lab itself, which the front door must match.
 */
export const FIRST_VISIT_VARIANTS = ['', '?device=wasm', '?threads=2', '#contrastive'] as const;

export interface Download {
  readonly path: string;
  readonly kind: string;
  /** Bytes on the wire: the body as sent (compressed when it was) plus the headers. */
  readonly bytes: number;
  /** The body's size after decoding. */
  readonly decodedBytes: number;
  readonly encoding: string;
  /** Page clock: when the response ended. */
  readonly end: number;
}

export interface VisitSample {
  readonly variant: string;
  readonly round: number;
  /** Page clock (0 = navigation): the first paint of the matrix with every row and column live. */
  readonly firstMatrixMs: number;
  /** The backend that ran, and the runtime panel's reason for it (when it gives one). */
  readonly device: string;
  readonly reason: string;
  /** The Contrastive lab's runtime stages (page clock, first time each was reported). */
  readonly stages: { readonly stage: string; readonly at: number }[];
  /** Everything the page and its workers downloaded before the first matrix. */
  readonly downloads: Download[];
  readonly external: string[];
  readonly pageErrors: string[];
}

/** Kinds of file a first visit fetches, from the path. */
export function kindOf(path: string): string {
  if (/\.wasm$/.test(path)) return 'ORT wasm';
  if (/ort-wasm.*\.mjs$/.test(path)) return 'ORT glue (mjs)';
  if (/\.onnx$/.test(path)) return 'model graphs (onnx)';
  if (/\/models\/.*\.json$/.test(path)) return 'model config and tokenizer (json)';
  if (/worker.*\.js$/.test(path)) return 'worker script';
  if (/\.(js|mjs)$/.test(path)) return 'page script';
  if (/\.css$/.test(path)) return 'stylesheet';
  if (/\.html$|\/$/.test(path)) return 'html';
  return 'other';
}

interface Finished {
  readonly request: Request;
  readonly wallEnd: number;
}

async function visit(browser: Browser, url: string, variant: string, round: number): Promise<VisitSample> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const finished: Finished[] = [];
  const external: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (r) => {
    const host = new URL(r.url()).hostname;
    if (!['127.0.0.1', 'localhost', ''].includes(host) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) external.push(r.url());
  });
  page.on('requestfinished', (request) => finished.push({ request, wallEnd: Date.now() }));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  try {
    await page.goto(url);
    // Complete: every default image embedded, a number in every cell; polled every frame.
    const handle = await page.waitForFunction(() => {
      const table = document.querySelector('[data-testid="matrix-table"]');
      if (!table || document.querySelector('[data-testid="image-card"][data-status="pending"]')) return false;
      const cells = [...table.querySelectorAll('tbody td')];
      if (cells.length === 0 || cells.some((td) => !Number.isFinite(Number(td.getAttribute('data-value'))))) return false;
      const rows = table.querySelectorAll('tbody tr').length;
      const columns = cells.length / rows;
      const marks = performance.getEntriesByName('vlm:matrix-painted', 'mark') as PerformanceMark[];
      const full = marks.find((m) => m.detail && m.detail.rows === rows && m.detail.columns === columns);
      if (!full) return false;
      // At the default URL the front door shows that matrix as its thumbnail: the first live
      // matrix a person sees is the later of the two.
      const thumbnail = performance.getEntriesByName('vlm:thumbnail-live', 'mark')[0];
      if (document.querySelector('[data-testid="front-door"]') && !thumbnail) return false;
      const seen = Math.max(full.startTime, thumbnail?.startTime ?? 0);
      const stages = (performance.getEntriesByName('vlm:runtime-stage', 'mark') as PerformanceMark[])
        .filter((m) => m.detail?.model === 'shapes-clip')
        .map((m) => ({ stage: String(m.detail.stage), at: m.startTime }))
        .filter((m, k, all) => all.findIndex((x) => x.stage === m.stage) === k);
      return { painted: seen, timeOrigin: performance.timeOrigin, stages };
    }, undefined, { polling: 'raf', timeout: 120_000 });
    const { painted, timeOrigin, stages } = (await handle.jsonValue()) as { painted: number; timeOrigin: number; stages: VisitSample['stages'] };
    // The front door shows no runtime panel: the lab's own line (mounted, hidden) says the backend.
    const device = (await page.locator('[data-testid="runtime-device"], #contrastive [data-testid="backend"]').first().textContent({ timeout: 1000 }).catch(() => '')) ?? '';
    const reason = (await page.getByTestId('runtime-reason').first().textContent({ timeout: 1000 }).catch(() => '')) ?? '';
    const downloads: Download[] = [];
    for (const { request, wallEnd } of finished) {
      const url = new URL(request.url());
      if (url.protocol !== 'http:') continue;
      const timing = request.timing();
      const end = timing.responseEnd >= 0 ? timing.startTime + timing.responseEnd - timeOrigin : wallEnd - timeOrigin;
      if (end > painted) continue;
      const sizes = await request.sizes();
      const response = await request.response();
      // allHeaders(): headers() can miss some of a worker's response headers.
      const headers = (await response?.allHeaders()) ?? {};
      const length = Number(headers['content-length'] ?? NaN);
      downloads.push({
        path: url.pathname,
        kind: kindOf(url.pathname),
        // Content-Length is the body as sent (compressed when it was); a body compressed on the
        // fly is sent in chunks without one, and then the browser's count is used.
        bytes: (Number.isFinite(length) ? length : sizes.responseBodySize) + sizes.responseHeadersSize,
        decodedBytes: response ? await response.body().then((b) => b.length, () => NaN) : NaN,
        encoding: headers['content-encoding'] ?? 'identity',
        end,
      });
    }
    return { variant, round, firstMatrixMs: painted, device: device.trim(), reason: reason.trim(), stages, downloads, external, pageErrors };
  } finally {
    await context.close();
  }
}

/** The name of the variant that loads an earlier build (BENCH_BASELINE_DIST) at its default URL. */
export const BASELINE = 'earlier build, default URL';

/**
 * `rounds` cold loads of each variant, alternating (which variant goes first alternates too).
 * With `baselineDist` (a folder holding an earlier `npm run build`), that build's default URL
 * is loaded in the same rounds, served by a second preview server as `npm start` served it.
 * `only`: the variants to load (of FIRST_VISIT_VARIANTS; '' is the default URL).
 */
export async function runFirstVisit(rounds: number, log: (line: string) => void, baselineDist?: string, only: readonly string[] = FIRST_VISIT_VARIANTS): Promise<VisitSample[]> {
  const base = await startServer();
  let baseline: PreviewServer | null = null;
  const variants: string[] = [...only];
  const urlOf = (variant: string) => (variant === BASELINE ? baselineUrl : `${base}${variant}`);
  let baselineUrl = '';
  if (baselineDist) {
    baseline = await preview({ build: { outDir: resolve(baselineDist) }, preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'silent' });
    const address = baseline.httpServer.address();
    if (!address || typeof address === 'string') throw new Error('baseline preview server has no port');
    baselineUrl = `http://127.0.0.1:${address.port}/`;
    variants.push(BASELINE);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const samples: VisitSample[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? [...variants].reverse() : variants;
      for (const variant of order) {
        const s = await visit(browser, urlOf(variant), variant, round);
        if (s.external.length || s.pageErrors.length) throw new Error(`first visit ${variant || 'default URL'}: external requests ${s.external.join(' ')}; page errors ${s.pageErrors.join(' | ')}`);
        const mb = s.downloads.reduce((n, d) => n + d.bytes, 0) / 1e6;
        log(`[first visit] round ${round + 1}/${rounds} ${variant || 'default URL'}: first matrix at ${s.firstMatrixMs.toFixed(0)} ms on ${s.device}, ${mb.toFixed(2)} MB before it`);
        samples.push(s);
      }
    }
  } finally {
    await browser.close();
    await baseline?.close();
  }
  return samples;
}
