/**
 * Every lesson, step by step, in the built app (offline): each step's link opens, the figure it
 * points at is outlined, its question gets a live answer, and every claim it makes about the
 * numbers holds on the live models. Then a lesson walked with the keyboard alone, Back and
 * Forward, and presenter mode.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { LESSONS } from '../../src/labs/lessons/catalogue';
import { openApp, stopAll } from './harness';
import { expectChecksHold, predictAndReveal, waitForStep } from './lessons';

afterAll(stopAll);

describe.each(LESSONS.map((l) => [l.id, l] as const))('lesson %s', (id, lesson) => {
  it('every step loads, points at its figure, answers its question live, and its checks hold', async () => {
    const session = await openApp(`?device=wasm&lesson=${id}&step=1`);
    const { page } = session;
    for (let k = 0; k < lesson.steps.length; k++) {
      const step = lesson.steps[k];
      await waitForStep(page, id, k + 1);
      expect(new URL(page.url()).searchParams.get('step')).toBe(String(k + 1));
      const route = step.link.slice(1).split('?')[0];
      await expect.poll(() => new URL(page.url()).hash.slice(1).split('?')[0]).toBe(route);
      await page.locator(`#${route} [data-testid="${step.figure}"][data-lesson-figure]`).first().waitFor({ state: 'attached', timeout: 120_000 });
      if (step.predict) {
        const answer = await predictAndReveal(page);
        expect(answer).toBeGreaterThanOrEqual(0);
        expect(answer).toBeLessThan(step.predict.choices.length);
      }
      const states = await expectChecksHold(page);
      expect(states).toHaveLength(step.checks?.length ?? 0);
      console.log(`${id} ${k + 1}: ${states.map((s) => s.text).join(' | ') || '(no checks)'}`);
      if (k < lesson.steps.length - 1) await page.getByRole('button', { name: 'Next →' }).click();
    }
    expect(session.external).toEqual([]);
    expect(session.pageErrors).toEqual([]);
    await session.close();
  });
});

it('a lesson walked with the keyboard alone: open it from the front door, move with the arrows, Page keys, Home and End; Back and Forward follow', async () => {
  const session = await openApp('?device=wasm');
  const { page } = session;
  await page.getByTestId('front-door').waitFor();
  const first = LESSONS[0];
  // Tab to the first lesson's link, as a person without a mouse would.
  let focused = '';
  for (let k = 0; k < 200 && focused !== first.id; k++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => (document.activeElement?.closest('[data-testid="lesson-list"] li:not(:has(a:focus[aria-label]))')?.getAttribute('data-lesson') ?? ''));
  }
  expect(focused).toBe(first.id);
  await page.keyboard.press('Enter');
  await waitForStep(page, first.id, 1);
  await page.keyboard.press('ArrowRight');
  await waitForStep(page, first.id, 2);
  await page.keyboard.press('PageDown');
  await waitForStep(page, first.id, 3);
  await page.keyboard.press('ArrowLeft');
  await waitForStep(page, first.id, 2);
  await page.keyboard.press('End');
  await waitForStep(page, first.id, first.steps.length);
  await page.keyboard.press('Home');
  await waitForStep(page, first.id, 1);
  expect(new URL(page.url()).searchParams.get('step')).toBe('1');
  // Keys typed in a field stay the field's: ArrowRight in a caption does not move the lesson.
  await page.getByRole('textbox', { name: 'Caption 1' }).focus();
  await page.keyboard.press('ArrowRight');
  expect(await page.getByTestId('lesson-panel').getAttribute('data-step')).toBe('1');
  await page.locator('body').focus();
  await page.getByTestId('lesson-panel').getByRole('button', { name: 'Next →' }).focus();
  await page.keyboard.press('Enter');
  await waitForStep(page, first.id, 2);
  // Back returns to the step before, Forward to this one again.
  await page.goBack();
  await waitForStep(page, first.id, 1);
  await page.goForward();
  await waitForStep(page, first.id, 2);
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});

it('presenter mode: larger type, the chrome hidden, in the URL, and left with Esc', async () => {
  const session = await openApp('?device=wasm&lesson=temperature&step=2&present=1');
  const { page } = session;
  await waitForStep(page, 'temperature', 2);
  expect(await page.evaluate(() => document.documentElement.classList.contains('presenting'))).toBe(true);
  expect(await page.locator('body > #app > header').isVisible()).toBe(false);
  const size = () => page.getByTestId('lesson-panel').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(await size()).toBeGreaterThanOrEqual(18);
  // Steps still move with the keyboard, and the URL keeps presenter mode.
  await page.keyboard.press('ArrowRight');
  await waitForStep(page, 'temperature', 3);
  expect(new URL(page.url()).searchParams.get('present')).toBe('1');
  await page.keyboard.press('Escape');
  await expect.poll(() => new URL(page.url()).searchParams.get('present')).toBeNull();
  expect(await page.evaluate(() => document.documentElement.classList.contains('presenting'))).toBe(false);
  expect(await page.locator('body > #app > header').isVisible()).toBe(true);
  expect(await size()).toBeLessThan(18);
  // Turned on from the panel's button.
  await page.getByRole('button', { name: 'Presenter mode' }).click();
  await expect.poll(() => new URL(page.url()).searchParams.get('present')).toBe('1');
  expect(session.external).toEqual([]);
  expect(session.pageErrors).toEqual([]);
  await session.close();
});

it('a link to a lesson that does not exist, or to a step out of range, says so and opens what it can', async () => {
  const session = await openApp('?device=wasm&lesson=temperature&step=99');
  const { page } = session;
  const last = LESSONS.find((l) => l.id === 'temperature')!.steps.length;
  await waitForStep(page, 'temperature', last);
  expect(await page.getByTestId('lesson-panel').getByRole('status').first().textContent()).toContain(`steps 1 to ${last}`);
  await session.close();
  const unknown = await openApp('?device=wasm&lesson=nope#contrastive');
  await unknown.page.getByTestId('runtime-panel').first().waitFor();
  expect(await unknown.page.getByTestId('lesson-panel').count()).toBe(0);
  // Said where the link's notices are, the lab shown as the link asked.
  await unknown.page.getByTestId('link-notice').first().waitFor();
  expect(await unknown.page.getByTestId('link-notice').allTextContents()).toContain('There is no lesson “nope”; the lab is shown without one.');
  expect(await unknown.page.locator('main#contrastive').isVisible()).toBe(true);
  expect(unknown.pageErrors).toEqual([]);
  await unknown.close();
});
