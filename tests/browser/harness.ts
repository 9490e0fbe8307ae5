/**
 * Drives the built app (`dist/`, served by `vite preview`) in Debian's headless Chromium.
 * Every request that leaves localhost is blocked and counted; tests assert the count is zero.
 * The page runs under the built page's Content-Security-Policy; a violation is a page error.
 */
import { preview, type PreviewServer } from 'vite';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const FLAGS = [
  '--enable-unsafe-webgpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-sandbox',
];

export interface Session {
  readonly page: Page;
  readonly context: BrowserContext;
  readonly url: string;
  /** Requests to anywhere but the local server, all blocked. */
  readonly external: string[];
  /** Errors thrown in the page or its workers. */
  readonly pageErrors: string[];
  close(): Promise<void>;
}

let server: PreviewServer | null = null;
let browser: Browser | null = null;
/** The build `vite preview` serves: 'production' is dist/ (the tests), 'bench' dist-bench/ (npm run bench). */
let buildMode: 'production' | 'bench' = 'production';

/** Chooses the build to serve; call before the first page opens. */
export function serveBuild(mode: 'production' | 'bench'): void {
  buildMode = mode;
}

export async function startServer(): Promise<string> {
  server ??= await preview({ mode: buildMode, preview: { port: 0, host: '127.0.0.1', strictPort: false }, logLevel: 'silent' });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no port');
  return `http://127.0.0.1:${address.port}/`;
}

export async function openApp(query = ''): Promise<Session> {
  const base = await startServer();
  browser ??= await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  const context = await browser.newContext({ acceptDownloads: true });
  const external: string[] = [];
  const pageErrors: string[] = [];
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.protocol === 'blob:' || url.protocol === 'data:') return route.continue();
    external.push(route.request().url());
    return route.abort('blockedbyclient');
  });
  // A Content-Security-Policy violation in the page counts as an error in every test (the
  // workers' are reported to the preview server: tooling/csp.ts).
  await context.exposeFunction('__cspViolation', (text: string) => pageErrors.push(text));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      (window as unknown as { __cspViolation(text: string): void }).__cspViolation(`Content-Security-Policy: ${event.effectiveDirective} refused ${event.blockedURI || '(inline)'}`);
    });
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('worker', (worker) => worker.on('close', () => undefined));
  const url = `${base}${query}`;
  await page.goto(url);
  return { page, context, url, external, pageErrors, close: () => context.close() };
}

export async function stopAll(): Promise<void> {
  await browser?.close();
  browser = null;
  await server?.close();
  server = null;
}

/** Waits until the runtime reports a loaded model. */
export async function waitForModel(page: Page): Promise<string> {
  await page.locator('[data-testid="runtime-panel"][data-status="ready"]').waitFor({ timeout: 120_000 });
  return (await page.getByTestId('runtime-device').textContent()) ?? '';
}

/** The matrix as the accessible table holds it: full-precision values, row-major. */
export async function readMatrix(page: Page): Promise<{ rows: string[]; columns: string[]; values: number[][] }> {
  return page.getByTestId('matrix-table').evaluate((table) => {
    const columns = [...table.querySelectorAll('thead th')].slice(1).map((th) => th.textContent ?? '');
    const body = [...table.querySelectorAll('tbody tr')];
    return {
      columns,
      rows: body.map((tr) => tr.querySelector('th')?.textContent ?? ''),
      values: body.map((tr) => [...tr.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value')))),
    };
  });
}
