/**
 * Part "memory" of the benchmark. One page opens the app, then every lab in turn (each
 * loads its own model in its own worker), back to the Contrastive lab; then each of the other
 * labs' models is unloaded. At each step, after a garbage collection in every target: the page's
 * JS heap, and for every worker (the labs' inference workers and ORT's threads inside them)
 * its JS heap and the ArrayBuffer and WebAssembly memory it holds (`backingStorageSize`).
 *
 * Per-target CDP (`Runtime.getHeapUsage`), because `performance.measureUserAgentSpecificMemory`
 * answers only at the browser's next scheduled measurement: 60 s per call here.
 */
import { chromium, type CDPSession, type Page } from 'playwright-core';
import { CHROMIUM, FLAGS, startServer } from '../browser/harness';

export const LABS = ['llip', 'masking', 'generative'] as const;

export interface TargetMemory {
  /** 'page', 'inference worker' or 'ORT thread'. */
  readonly kind: string;
  readonly url: string;
  /** V8's heap in use, bytes. */
  readonly jsHeap: number;
  /** ArrayBuffers and WebAssembly memories, bytes. */
  readonly buffers: number;
}

export interface MemorySnapshot {
  readonly label: string;
  readonly targets: TargetMemory[];
}

interface HeapUsage {
  readonly usedSize: number;
  readonly backingStorageSize?: number;
}

/** Sends CDP commands to every worker of the browser through one browser session. */
async function workerHeaps(browserSession: CDPSession): Promise<TargetMemory[]> {
  const { targetInfos } = await browserSession.send('Target.getTargets');
  let nextId = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  const listener = (event: { message: string }) => {
    const message = JSON.parse(event.message) as { id: number; result: unknown };
    waiting.get(message.id)?.(message.result);
  };
  browserSession.on('Target.receivedMessageFromTarget', listener);
  // A worker busy in a long task (or an ORT thread parked in Atomics.wait) may not answer: 5 s.
  const call = async (sessionId: string, method: string): Promise<unknown> => {
    const id = nextId++;
    const answer = new Promise((resolve) => waiting.set(id, resolve));
    await browserSession.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method }) });
    return Promise.race([answer, new Promise((resolve) => setTimeout(() => resolve(null), 5000))]);
  };
  const out: TargetMemory[] = [];
  try {
    for (const info of targetInfos.filter((t) => t.type === 'worker')) {
      let usage: HeapUsage;
      try {
        const { sessionId } = await browserSession.send('Target.attachToTarget', { targetId: info.targetId, flatten: false });
        await call(sessionId, 'HeapProfiler.collectGarbage');
        usage = ((await call(sessionId, 'Runtime.getHeapUsage')) ?? { usedSize: NaN }) as HeapUsage;
        await browserSession.send('Target.detachFromTarget', { sessionId });
      } catch {
        continue; // a worker that ended while it was being asked
      }
      const kind = info.url.includes('inference.worker') ? 'inference worker' : info.url.startsWith('blob:') ? 'ORT thread' : 'worker';
      out.push({ kind, url: info.url, jsHeap: usage.usedSize, buffers: usage.backingStorageSize ?? NaN });
    }
  } finally {
    browserSession.off('Target.receivedMessageFromTarget', listener);
  }
  return out;
}

async function snapshot(label: string, page: Page, pageSession: CDPSession, browserSession: CDPSession): Promise<MemorySnapshot> {
  await pageSession.send('HeapProfiler.collectGarbage');
  const usage = (await pageSession.send('Runtime.getHeapUsage')) as HeapUsage;
  const pageMemory: TargetMemory = { kind: 'page', url: page.url(), jsHeap: usage.usedSize, buffers: usage.backingStorageSize ?? NaN };
  return { label, targets: [pageMemory, ...(await workerHeaps(browserSession))] };
}

const labReady = (page: Page, lab: string) =>
  page.locator(`[data-testid="${lab}-lab"] [data-testid="runtime-panel"][data-status="ready"]`).first().waitFor({ timeout: 180_000 });

export async function runMemory(log: (line: string) => void): Promise<MemorySnapshot[]> {
  const base = await startServer();
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  try {
    const page = await (await browser.newContext()).newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${base}#contrastive`);
    await page.locator('[data-testid="matrix-table"] tbody td[data-value]').first().waitFor({ timeout: 120_000 });
    const pageSession = await page.context().newCDPSession(page);
    const browserSession = await browser.newBrowserCDPSession();
    const snapshots: MemorySnapshot[] = [];
    const take = async (label: string) => {
      const s = await snapshot(label, page, pageSession, browserSession);
      const workers = s.targets.filter((t) => t.kind === 'inference worker');
      log(`[memory] ${label}: page JS heap ${(s.targets[0].jsHeap / 1e6).toFixed(1)} MB, ${workers.length} inference workers, ${(workers.reduce((n, t) => n + t.jsHeap + t.buffers, 0) / 1e6).toFixed(1)} MB in them`);
      snapshots.push(s);
    };
    await take('Contrastive lab, first matrix');
    for (const lab of LABS) {
      await page.goto(`${base}#${lab}`);
      await labReady(page, lab);
    }
    await page.goto(`${base}#contrastive`);
    await take('after visiting every lab');
    for (const lab of LABS) {
      await page.goto(`${base}#${lab}`);
      await page.getByTestId(`${lab}-lab`).getByRole('button', { name: 'Unload model' }).first().click();
      await page.locator(`[data-testid="${lab}-lab"] [data-testid="runtime-panel"][data-status="unloaded"]`).first().waitFor();
    }
    // Terminated workers leave the target list asynchronously.
    await page.waitForTimeout(1000);
    await take("after unloading the three labs' models");
    if (pageErrors.length) throw new Error(`memory: page errors ${pageErrors.join(' | ')}`);
    return snapshots;
  } finally {
    await browser.close();
  }
}
