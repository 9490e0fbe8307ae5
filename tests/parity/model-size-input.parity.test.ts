/**
 * The Contrastive lab sends a drawing shrunk to the model's side instead of the 128-px drawing.
 * The worker's own image path (`prepareImages`: decode, `shrinkShortestEdge`, the model's image
 * processor) must then give the same pixel values, bit for bit, and the image encoder the same
 * embedding: checked on the bundled dual encoders (the Llip lab sends its images the same way)
 * for samples and composed scenes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../../src/lib/runtime/protocol.ts';
import { renderScene, sampleImage, SAMPLE_RENDER_SIZE, WHITE, type Scene } from '../../src/lib/shapes/index.ts';
import { drawnInput } from '../../src/labs/contrastive/embedRequests.ts';
import { embedImages, loadDualEncoder, prepareImages, type LoadedModel } from '../../workers/families/dual-encoder.ts';
import { modelUnderTest } from './goldens.ts';

const scenes: Scene[] = [
  { shapes: [{ kind: 'circle', colour: 'red', cx: 0.2, cy: 0.5, radius: 0.2 }], background: WHITE },
  // A position between pixels of the small image: its edges are shared by several target pixels.
  { shapes: [{ kind: 'circle', colour: 'red', cx: 0.537, cy: 0.413, radius: 0.173 }], background: WHITE },
];
const drawings = [...scenes.map((scene) => renderScene(scene, SAMPLE_RENDER_SIZE)), sampleImage(0), sampleImage(5)];

describe.each(['shapes-clip', 'shapes-siglip', 'shapes-llip'])('%s: a drawing sent at the model\'s size', (shipped) => {
  const { modelId } = modelUnderTest(`static/models/${shipped}`);
  let model: LoadedModel;
  beforeAll(async () => {
    model = await loadDualEncoder({ source: { id: modelId, origin: 'bundled' }, device: 'cpu' as Device, dtype: 'fp32', threads: 1, families: ['clip', 'siglip', 'llip'] }, () => undefined);
  });
  afterAll(async () => model?.dispose());

  it('is smaller than the drawing and gives bit-identical pixel values and the same embedding', async () => {
    const size = model.info.imageSize;
    expect(size).toBeLessThan(SAMPLE_RENDER_SIZE);
    const full = drawings.map((d) => drawnInput(d));
    const small = drawings.map((d) => drawnInput(d, size));
    for (const input of small) expect(input.kind === 'pixels' && [input.width, input.height, input.data.length]).toEqual([size, size, size * size * 3]);
    const before = await prepareImages(model, full);
    const after = await prepareImages(model, small);
    expect(after.dims).toEqual(before.dims);
    expect(before.values).toHaveLength(drawings.length);
    before.values.forEach((values, k) => {
      expect(after.values[k].length).toBe(values.length);
      expect(Buffer.from(after.values[k].buffer, after.values[k].byteOffset, after.values[k].byteLength).equals(Buffer.from(values.buffer, values.byteOffset, values.byteLength))).toBe(true);
    });
    // The thumbnail the lab shows is read back from those values: the same too.
    after.outcomes.forEach((o, k) => {
      const b = before.outcomes[k];
      if (!o.ok || !b.ok) throw new Error(`image ${k} was not read`);
      expect(o.modelInput).toEqual(b.modelInput);
    });
    const embedBefore = (await embedImages(model, full)).result;
    const embedAfter = (await embedImages(model, small)).result;
    if (embedBefore.kind !== 'image-embeds' || embedAfter.kind !== 'image-embeds') throw new Error('not image embeddings');
    expect(Array.from(embedAfter.embeds.data)).toEqual(Array.from(embedBefore.embeds.data));
  });

  it('leaves a drawing as it is for a model wider than it', () => {
    const input = drawnInput(drawings[0], 224);
    expect(input.kind === 'pixels' && input.data).toBe(drawings[0].data);
  });
});
