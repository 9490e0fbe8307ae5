/** The hub's SmolVLM entries: pinned commits, the three graph files per precision, sizes as the hub displays them. */
import { describe, expect, it } from 'vitest';
import { formatBytes, VLM_HUB_MODELS, vlmDownloadBytes, vlmGraphFiles } from '../../src/lib/registry/hub-models';

describe('VLM_HUB_MODELS', () => {
  it('pins each repo at a full commit and lists SmolVLM-256M and -500M', () => {
    expect(VLM_HUB_MODELS.map((m) => m.id)).toEqual(['HuggingFaceTB/SmolVLM-256M-Instruct', 'HuggingFaceTB/SmolVLM-500M-Instruct']);
    for (const m of VLM_HUB_MODELS) {
      expect(m.revision).toMatch(/^[0-9a-f]{40}$/);
      expect(m.family).toBe('smolvlm');
      expect(Object.isFrozen(m)).toBe(true);
    }
  });

  it('gives sizes that round to the hub listing\'s display, and sums them per precision', () => {
    const small = VLM_HUB_MODELS[0];
    expect(Object.keys(small.files)).toEqual(['fp16', 'int8', 'q4f16']);
    expect(formatBytes(small.files.fp16!.decoder)).toBe('271 MB');
    expect(formatBytes(small.files.int8!.embedTokens)).toBe('28.4 MB');
    expect(formatBytes(small.files.q4f16!.visionEncoder)).toBe('55 MB');
    expect(vlmDownloadBytes(small, 'int8')).toBe(94_200_000 + 28_400_000 + 138_000_000);
    expect(vlmDownloadBytes(small, 'fp32')).toBeNull();
    // No sizes pinned for the 500M: the lab reads them from the hub before asking.
    expect(vlmDownloadBytes(VLM_HUB_MODELS[1], 'q4f16')).toBeNull();
  });
});

describe('vlmGraphFiles', () => {
  it('names the three graphs AutoModelForVision2Seq fetches, with the dtype\'s suffix', () => {
    expect(vlmGraphFiles('fp32')).toEqual(['onnx/vision_encoder.onnx', 'onnx/embed_tokens.onnx', 'onnx/decoder_model_merged.onnx']);
    expect(vlmGraphFiles('q8')).toEqual(['onnx/vision_encoder_quantized.onnx', 'onnx/embed_tokens_quantized.onnx', 'onnx/decoder_model_merged_quantized.onnx']);
    expect(vlmGraphFiles('q4f16')[2]).toBe('onnx/decoder_model_merged_q4f16.onnx');
  });
});
