/**
 * The page's own security, in headless Chromium, offline: the built page carries its
 * Content-Security-Policy (a meta tag, and the preview server's header, which also governs
 * the workers), every lab works under it with no violation (the page's `securitypolicyviolation`
 * events and the reports the browser sends for the workers are both counted), and an uploaded
 * image never leaves the browser: no request carries its bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { openApp, readMatrix, startServer, stopAll, waitForModel, type Session } from './harness';
import { waitForMatrix } from './lab';
import { labReady } from './links';
import { REPORTS } from '../../tooling/csp';

async function reports(page: Page): Promise<unknown[]> {
  return page.evaluate(async (path) => ((await (await fetch(path)).json()) as { reports: unknown[] }).reports, REPORTS);
}

afterAll(() => stopAll());

describe('the Content-Security-Policy', () => {
  let session: Session;
  let page: Page;

  beforeAll(async () => {
    session = await openApp('?device=wasm#contrastive');
    page = session.page;
    await page.evaluate((path) => fetch(`${path}/reset`), REPORTS);
  });
  afterAll(async () => {
    expect(session.external).toEqual([]);
    await session.close();
  });

  it('is in the built page before any script, and in the server header', async () => {
    const base = await startServer();
    const response = await fetch(base);
    const html = await response.text();
    const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
    expect(meta).not.toBeNull();
    const policy = meta![1].replace(/&#39;/g, "'");
    expect(policy).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(policy).toContain("worker-src 'self'");
    expect(policy).toMatch(/connect-src 'self' https:\/\/huggingface\.co https:\/\/\*\.huggingface\.co https:\/\/hf\.co https:\/\/\*\.hf\.co;/);
    expect(html.indexOf('Content-Security-Policy')).toBeLessThan(html.indexOf('<script'));
    // No inline script: every script element loads a file.
    expect([...html.matchAll(/<script\b([^>]*)>/g)].every(([, attributes]) => /\bsrc=/.test(attributes))).toBe(true);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self' 'wasm-unsafe-eval'");
    // The workers' scripts carry it too: a worker is governed by its own script's headers.
    const script = /<script type="module" crossorigin src="([^"]+)"/.exec(html)![1];
    expect((await fetch(new URL(script, base))).headers.get('content-security-policy')).toContain("connect-src 'self' https://huggingface.co");
  });

  it('is enforced and counted: a request elsewhere is refused, seen by the page and reported', async () => {
    const refused = await page.evaluate(() => fetch('https://example.com/').then(() => 'sent', () => 'refused'));
    expect(refused).toBe('refused');
    // Refused by both copies of the policy (the meta tag's and the header's), each saying so.
    await expect.poll(() => session.pageErrors.filter((e) => e.startsWith('Content-Security-Policy: connect-src refused https://example.com/')).length).toBeGreaterThan(0);
    await expect.poll(async () => (await reports(page)).length).toBeGreaterThan(0);
    // Refused by the policy before the network: the harness never saw it leave.
    expect(session.external).toEqual([]);
    session.pageErrors.length = 0;
    await page.evaluate((path) => fetch(`${path}/reset`), REPORTS);
  });

  it('lets every lab work with no violation, in the page or in the workers', async () => {
    await waitForModel(page);
    await waitForMatrix(page, 4, 4);
    await page.locator('#contrastive summary', { hasText: 'Attention lens' }).first().click();
    const tour: { route: string; ready: (page: Page) => Promise<void> }[] = [
      { route: 'llip', ready: async (p) => p.getByTestId('llip-weights').waitFor({ state: 'attached', timeout: 120_000 }) },
      { route: 'masking', ready: async (p) => {
        await labReady(p.getByTestId('masking-lab'));
        await p.getByTestId('masking-lab').getByRole('button', { name: 'Random mask' }).click();
        await p.waitForFunction(() => document.querySelectorAll('[data-testid="masked-patches"] tbody tr').length > 0, undefined, { timeout: 120_000 });
      } },
      { route: 'generative', ready: async (p) => p.getByTestId('caption-text').waitFor({ timeout: 120_000 }) },
      { route: 'backbone', ready: async (p) => p.locator('[data-testid="answer"][data-status="done"]').waitFor({ timeout: 120_000 }) },
      { route: 'budget', ready: async (p) => p.getByTestId('tjs-status').filter({ hasText: /pipeline/ }).waitFor({ timeout: 120_000 }) },
      { route: 'tokens', ready: async (p) => {
        const lab = p.getByTestId('tokens-lab');
        await labReady(lab);
        await lab.getByRole('button', { name: /^Tokenize / }).first().click();
        await lab.getByTestId('tokenized').waitFor({ timeout: 120_000 });
      } },
      { route: 'probes', ready: async (p) => {
        await p.getByRole('spinbutton', { name: 'Items per suite' }).fill('2');
        await p.getByRole('button', { name: 'Run the probes' }).click();
        await p.locator('[data-testid="probe-table"] td[data-model]').first().waitFor({ timeout: 170_000 });
      } },
      { route: 'home', ready: async (p) => p.getByTestId('front-door').waitFor() },
    ];
    for (const stop of tour) {
      await page.evaluate((route) => (location.hash = route), stop.route);
      await stop.ready(page);
    }
    expect(session.pageErrors).toEqual([]);
    expect(await reports(page)).toEqual([]);
  });
});

describe('an uploaded image', () => {
  it('never leaves the browser: no request carries its bytes, or any body at all', async () => {
    const session = await openApp('?device=wasm#contrastive');
    const { page, context } = session;
    await waitForModel(page);
    await waitForMatrix(page, 4, 4);
    // A picture with noise in it, so its bytes are found nowhere else.
    const png = Buffer.from((await page.evaluate(() => {
      const canvas = Object.assign(document.createElement('canvas'), { width: 96, height: 64 });
      const context2d = canvas.getContext('2d')!;
      const pixels = context2d.createImageData(96, 64);
      for (let k = 0; k < pixels.data.length; k++) pixels.data[k] = k % 4 === 3 ? 255 : Math.floor(Math.random() * 256);
      context2d.putImageData(pixels, 0, 0);
      return canvas.toDataURL('image/png');
    })).split(',')[1], 'base64');
    const pieces = [0.25, 0.5, 0.75].map((at) => png.subarray(Math.floor(png.length * at), Math.floor(png.length * at) + 48));
    const base64 = png.toString('base64').slice(100, 164);
    const carrying: string[] = [];
    const bodies: string[] = [];
    const watch = (request: Request) => {
      const body = request.postDataBuffer();
      if (body && body.length > 0) bodies.push(`${request.method()} ${request.url()}`);
      const text = `${request.url()}\n${body?.toString('latin1') ?? ''}`;
      if (pieces.some((p) => body?.includes(p)) || text.includes(base64) || text.includes(encodeURIComponent(base64))) carrying.push(request.url());
    };
    context.on('request', watch);
    await page.getByTestId('file-input').setInputFiles([{ name: 'private.png', mimeType: 'image/png', buffer: png }]);
    await waitForMatrix(page, 5, 4);
    expect((await readMatrix(page)).rows).toContain('private.png');
    // It went through every lab that reads the shared images, and into the link's note.
    for (const route of ['llip', 'masking', 'generative', 'backbone']) {
      await page.evaluate((r) => (location.hash = r), route);
      await labReady(page.getByTestId(`${route}-lab`));
    }
    await page.evaluate(() => (location.hash = 'contrastive'));
    await expect.poll(() => page.getByTestId('link-note').textContent()).toMatch(/^An uploaded image is not in this link: uploads never leave this browser/);
    expect(await page.evaluate(() => location.hash)).not.toContain('private');
    context.off('request', watch);
    expect(carrying).toEqual([]);
    expect(bodies).toEqual([]);
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    await session.close();
  });
});
