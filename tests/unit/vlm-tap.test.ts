import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { attentionBytes, TAP_BUDGET, vlmShape } from '../../workers/families/vlm-tap';

const json = (file: string) => JSON.parse(readFileSync(`static/models/shapes-smolvlm/${file}`, 'utf8'));

describe('the size of a SmolVLM\'s tapped attention', () => {
  it('reads the bundled shapes-smolvlm\'s shape from its config: 2 × 2 tiles and the global image, well under the budget', () => {
    const config = json('config.json');
    const processor = json('preprocessor_config.json');
    const shape = vlmShape(config.text_config, config.vision_config, { ...processor, tileSide: processor.max_image_size.longest_edge, imageSeqLen: json('processor_config.json').image_seq_len });
    expect(shape).toMatchObject({ layers: 3, heads: 4, visionLayers: 3, visionHeads: 4, visionTokens: 64, frames: 5 });
    const bytes = attentionBytes(shape);
    expect(bytes.vision).toBe(4 * 5 * 3 * 4 * 64 * 64);
    expect(bytes.vision).toBeLessThan(TAP_BUDGET);
    expect(bytes.decoder).toBeLessThan(TAP_BUDGET);
  });

  it('puts the hub\'s SmolVLM-256M over it: 4 × 4 tiles of 1024 patches through 12 layers of 12 heads', () => {
    // HuggingFaceTB/SmolVLM-256M-Instruct: text_config 30 layers, 9 heads; vision_config 12 layers,
    // 12 heads, image_size 512, patch_size 16; size.longest_edge 2048, max_image_size 512, image_seq_len 64.
    const shape = vlmShape({ num_hidden_layers: 30, num_attention_heads: 9 }, { num_hidden_layers: 12, num_attention_heads: 12, image_size: 512, patch_size: 16 }, { size: { longest_edge: 2048 }, tileSide: 512, imageSeqLen: 64 });
    expect(shape.frames).toBe(17);
    const bytes = attentionBytes(shape);
    expect(bytes.vision).toBe(4 * 17 * 12 * 12 * 1024 ** 2);
    expect(bytes.decoder).toBe(4 * 30 * 9 * (17 * 64 + 64) ** 2);
    expect(bytes.vision).toBeGreaterThan(TAP_BUDGET);
    expect(bytes.decoder).toBeGreaterThan(TAP_BUDGET);
    // Without image splitting, one frame: the decoder fits, the vision encoder does not.
    const single = attentionBytes({ ...shape, frames: 1 });
    expect(single.decoder).toBeLessThan(TAP_BUDGET);
    expect(single.vision).toBeGreaterThan(TAP_BUDGET);
  });
});
