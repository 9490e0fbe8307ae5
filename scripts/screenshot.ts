/**
 * Takes the README's screenshot of the Contrastive lab, from the built app, offline.
 *   npm run build && tsx scripts/screenshot.ts docs/contrastive-lab.png
 */
import { openApp, stopAll, waitForModel } from '../tests/browser/harness.ts';
import { waitForMatrix } from '../tests/browser/lab.ts';

const session = await openApp('?device=wasm');
await session.page.setViewportSize({ width: 1280, height: 900 });
await waitForModel(session.page);
await waitForMatrix(session.page, 4, 4);
await session.page.getByRole('button', { name: 'Compose a scene…' }).click();
await waitForMatrix(session.page, 5, 4);
await session.page.waitForTimeout(500);
await session.page.screenshot({ path: process.argv[2] ?? 'docs/contrastive-lab.png', fullPage: true });
console.log(`external requests: ${session.external.length}`);
await stopAll();
