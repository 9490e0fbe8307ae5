/** Links as a person uses them: copy the link of a view, open it elsewhere, read the numbers. */
import type { Locator, Page } from 'playwright-core';
import { openApp, startServer, type Session } from './harness';

/** Clicks "Copy link" and returns what it put on the clipboard. */
export async function copyLink(session: Session): Promise<string> {
  const { page, context } = session;
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(session.url).origin });
  await page.getByRole('button', { name: 'Copy link' }).click();
  await page.getByText('Link copied.').waitFor();
  return page.evaluate(() => navigator.clipboard.readText());
}

/** Opens a copied link in a new browser context (no storage, no history shared with the first). */
export async function openCopied(href: string): Promise<Session> {
  const base = await startServer();
  if (!href.startsWith(base)) throw new Error(`${href} is not an address of the test server ${base}`);
  return openApp(href.slice(base.length));
}

/**
 * Every number a view shows in its tables and lists, in document order: the elements under
 * `root` that carry one (data-value, data-probability, data-error, data-tokens), with all
 * their data-* attributes and their text.
 */
export async function readings(root: Locator): Promise<{ text: string; data: Record<string, string> }[]> {
  return root.evaluate((element) =>
    [...element.querySelectorAll('[data-value], [data-probability], [data-error], [data-tokens]')].map((node) => ({
      text: (node.textContent ?? '').trim(),
      data: Object.fromEntries([...node.attributes].filter((a) => a.name.startsWith('data-')).map((a) => [a.name, a.value])),
    })),
  );
}

/** The hash once it has been written back (writes follow the state after a short rest). */
export async function settledHash(page: Page, matching: RegExp): Promise<string> {
  await page.waitForFunction((source) => new RegExp(source).test(location.hash), matching.source, { timeout: 30_000 });
  return page.evaluate(() => location.hash);
}

/** Waits until a lab's runtime panel reports its model ready. */
export async function labReady(lab: Locator): Promise<void> {
  await lab.locator('[data-testid="runtime-panel"][data-status="ready"]').first().waitFor({ timeout: 120_000 });
}
