/**
 * Takes the README's screenshots of the Llip, Masking and Generative labs, from the built app,
 * offline.   npm run build && tsx scripts/lab-screenshots.ts [llip masking generative]
 */
import { openApp, stopAll } from '../tests/browser/harness.ts';

const labs = process.argv.slice(2).length ? process.argv.slice(2) : ['llip', 'masking', 'generative'];
for (const lab of labs) {
  const session = await openApp(`?device=wasm#${lab}`);
  await session.page.setViewportSize({ width: 1280, height: 900 });
  const root = session.page.getByTestId(`${lab}-lab`);
  await root.locator('[data-testid="runtime-panel"][data-status="ready"]').waitFor({ timeout: 120_000 });
  if (lab === 'masking') {
    await root.getByRole('button', { name: 'Random mask' }).click();
    await root.getByRole('button', { name: /^Word 2: / }).click();
  }
  await session.page.waitForTimeout(2500);
  await session.page.screenshot({ path: `docs/${lab}-lab.png`, fullPage: process.env.FULL === "1" });
  console.log(`${lab}: external requests ${session.external.length}, page errors ${session.pageErrors.length}`);
  await session.close();
}
await stopAll();
