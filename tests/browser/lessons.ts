/** What a learner does with a lesson, as test steps: wait for a step, answer its question, read its checks. */
import type { Page } from 'playwright-core';

export interface CheckState {
  readonly status: string;
  readonly text: string;
}

export async function checkStates(page: Page): Promise<CheckState[]> {
  return page.locator('[data-testid="lesson-check"]').evaluateAll((items) =>
    items.map((li) => ({ status: li.getAttribute('data-status') ?? '', text: (li.textContent ?? '').replace(/\s+/g, ' ').trim() })),
  );
}

/** Waits until the panel shows step `n` (1-based) of lesson `id`. */
export async function waitForStep(page: Page, id: string, n: number): Promise<void> {
  await page.locator(`[data-testid="lesson-panel"][data-lesson="${id}"][data-step="${n}"]`).waitFor({ timeout: 30_000 });
}

/**
 * Waits until every check of the step shown holds on the live model; throws with the readings
 * of those that do not (failing or still waiting) after `timeout`.
 */
export async function expectChecksHold(page: Page, timeout = 150_000): Promise<CheckState[]> {
  const end = Date.now() + timeout;
  let states = await checkStates(page);
  while (Date.now() < end) {
    states = await checkStates(page);
    if (states.every((s) => s.status === 'pass')) return states;
    await page.waitForTimeout(250);
  }
  throw new Error(`checks do not hold:\n${states.filter((s) => s.status !== 'pass').map((s) => `  [${s.status}] ${s.text}`).join('\n')}`);
}

/** Picks the first choice of the step's question, reveals, and returns the live answer's index. */
export async function predictAndReveal(page: Page): Promise<number> {
  const box = page.getByTestId('lesson-predict');
  await box.getByRole('radio').first().check();
  await box.getByRole('button', { name: 'Reveal the live answer' }).click();
  const answer = page.getByTestId('lesson-answer');
  await answer.waitFor({ timeout: 150_000 });
  return Number(await answer.getAttribute('data-answer'));
}
