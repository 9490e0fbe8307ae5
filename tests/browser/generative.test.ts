/**
 * The Generative lab in headless Chromium, offline: the greedy caption of each golden image is
 * PyTorch's, generation stops at the end token or the maximum length, each token's
 * cross-attention over the patches is a distribution, a typed prefix is kept and continued,
 * and seeded sampling repeats itself.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { stopAll, type Session } from './harness';
import { openLabOnSamples } from './lab';

const goldens = JSON.parse(readFileSync('static/models/shapes-coca/goldens.json', 'utf8')) as {
  greedy: { max_length: number; bos_token_id: number; eos_token_id: number; ids: number[][]; text: string[] };
};

async function captionFor(page: Page, lab: Locator, expected?: string): Promise<string> {
  if (expected !== undefined) {
    await page.waitForFunction((want) => document.querySelector('[data-testid="caption-text"]')?.textContent === want, expected, { timeout: 60_000 });
  }
  return (await lab.getByTestId('caption-text').textContent()) ?? '';
}

describe('the Generative lab', () => {
  let session: Session;
  let page: Page;
  let lab: Locator;

  beforeAll(async () => {
    ({ session, page, lab } = await openLabOnSamples('generative'));
  });
  afterAll(async () => {
    await session.close();
    await stopAll();
  });

  it('captions each golden image greedily, exactly as PyTorch does', async () => {
    for (let k = 0; k < goldens.greedy.text.length; k++) {
      await lab.getByRole('button', { name: `Caption Sample ${k + 1}`, exact: true }).click();
      expect(await captionFor(page, lab, goldens.greedy.text[k])).toBe(goldens.greedy.text[k]);
      const ids = goldens.greedy.ids[k];
      // Tokens shown: everything after the start token, the end token included when reached.
      expect(await lab.getByTestId('caption-tokens').locator('li').count()).toBe(ids.length - 1);
      const stoppedAtEnd = ids.at(-1) === goldens.greedy.eos_token_id;
      expect(ids.length <= goldens.greedy.max_length).toBe(true);
      expect(await lab.getByText(stoppedAtEnd ? 'stopped at the end token' : 'stopped at the maximum length').count()).toBe(1);
    }
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
  });

  it('shows each token\'s cross-attention over the patches, summing to 1', async () => {
    const tokens = lab.getByTestId('caption-tokens').getByRole('button');
    const count = await tokens.count();
    for (const k of [0, count - 1]) {
      await tokens.nth(k).click();
      const alternatives = await lab.getByTestId('alternatives').evaluate((t) => [...t.querySelectorAll('td')].map((td) => Number(td.getAttribute('data-value'))));
      expect(alternatives.length).toBeGreaterThan(0);
      for (let i = 1; i < alternatives.length; i++) expect(alternatives[i]).toBeLessThanOrEqual(alternatives[i - 1]);
      expect(alternatives.reduce((s, v) => s + v, 0)).toBeLessThanOrEqual(1 + 1e-6);
    }
    const sum = await page.evaluate(() => Number(document.querySelector('[data-testid="token-attention"]')?.getAttribute('data-sum')));
    expect(sum).toBeCloseTo(1, 4);
  });

  it('keeps a typed prefix and continues it', async () => {
    await lab.getByRole('button', { name: 'Caption Sample 1', exact: true }).click();
    await captionFor(page, lab, goldens.greedy.text[0]);
    const first = goldens.greedy.text[0].split(' ');
    // Force a different colour word where the greedy caption has one.
    const colours = ['red', 'green', 'blue', 'yellow'];
    const at = first.findIndex((w) => colours.includes(w));
    expect(at).toBeGreaterThanOrEqual(0);
    const other = colours.find((c) => c !== first[at])!;
    const prefix = [...first.slice(0, at), other].join(' ');
    await lab.getByLabel('Caption prefix').fill(prefix);
    await page.waitForFunction((p) => document.querySelector('[data-testid="caption-text"]')?.textContent?.startsWith(p), prefix, { timeout: 60_000 });
    const forced = await lab.getByTestId('caption-tokens').locator('button.forced').count();
    expect(forced).toBe(prefix.split(' ').length);
    await lab.getByLabel('Caption prefix').fill('');
    await captionFor(page, lab, goldens.greedy.text[0]);
  });

  it('samples with a seed: the same seed gives the same caption', async () => {
    const sampledWith = async (seed: number) => {
      await lab.getByLabel('Sampling seed').fill(String(seed));
      await page.waitForFunction((s) => JSON.parse(document.querySelector('[data-testid="caption-result"]')?.getAttribute('data-for') || '{}').sampling?.seed === s, seed, { timeout: 60_000 });
      return lab.getByTestId('caption-tokens').textContent();
    };
    await lab.getByLabel('Sample', { exact: true }).check();
    await lab.getByLabel('Top-k').fill('5');
    const once = await sampledWith(7);
    await sampledWith(8);
    expect(await sampledWith(7)).toBe(once);
    expect(session.pageErrors).toEqual([]);
  });
});
