/**
 * The bundled CLIP's quality bar, measured the way the model card reports it: held-out
 * ShapesWorld scenes drawn at several sizes and styles, through transformers.js.
 */
import { describe, expect, it } from 'vitest';
import { evaluateClip } from '../../training/eval/clip.ts';
import { VARIANTS } from '../../training/eval/variants.ts';

// Always the shipped model (the forge's smoke run checks only clip.parity.test.ts on its own model).
const modelDir = 'static/models/shapes-clip';

describe('bundled CLIP quality on held-out scenes', () => {
  it('image→text top-1 ≥ 95% over all full captions and ≥ 90% over short typed captions, at every size', async () => {
    const report = await evaluateClip(modelDir, 200);
    for (const v of VARIANTS) {
      expect(report.full[v.name], `full captions, ${v.name}`).toBeGreaterThanOrEqual(0.95);
      expect(report.short[v.name], `short captions, ${v.name}`).toBeGreaterThanOrEqual(0.9);
    }
  }, 120_000);
});
