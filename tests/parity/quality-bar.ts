/**
 * The quality bar every bundled dual encoder meets, measured the way its model card reports it:
 * held-out ShapesWorld scenes drawn at several sizes and styles, through transformers.js.
 */
import { describe, expect, it } from 'vitest';
import { VARIANTS } from '../../training/eval/variants.ts';
import type { EvalReport } from '../../training/eval/clip.ts';

/** One test: image→text top-1 ≥ 95% on full captions and ≥ 90% on short ones, at every drawn size. */
export function describeQualityBar(title: string, evaluate: () => Promise<EvalReport>): void {
  describe(title, () => {
    it('image→text top-1 ≥ 95% over all full captions and ≥ 90% over short typed captions, at every size', async () => {
      const report = await evaluate();
      for (const v of VARIANTS) {
        expect(report.full[v.name], `full captions, ${v.name}`).toBeGreaterThanOrEqual(0.95);
        expect(report.short[v.name], `short captions, ${v.name}`).toBeGreaterThanOrEqual(0.9);
      }
    }, 120_000);
  });
}
