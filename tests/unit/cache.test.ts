import { describe, expect, it } from 'vitest';
import { groupCachedFiles, parseCachedUrl } from '../../src/lib/registry/cache';

describe('model cache listing', () => {
  it('reads repo, revision and file from hub and mirror URLs', () => {
    expect(parseCachedUrl('https://huggingface.co/Xenova/clip-vit-base-patch32/resolve/main/onnx/text_model_quantized.onnx')).toEqual({
      host: 'https://huggingface.co/', repo: 'Xenova/clip-vit-base-patch32', revision: 'main', file: 'onnx/text_model_quantized.onnx',
    });
    expect(parseCachedUrl('http://127.0.0.1:4173/__hub/playground/shapes-clip/resolve/abc123/config.json')).toEqual({
      host: 'http://127.0.0.1:4173/__hub/', repo: 'playground/shapes-clip', revision: 'abc123', file: 'config.json',
    });
    expect(parseCachedUrl('https://example.com/ort.wasm')).toBeNull();
    expect(parseCachedUrl('not a url')).toBeNull();
  });

  it('groups files per model and revision, sums bytes, largest first', () => {
    const groups = groupCachedFiles([
      { url: 'https://huggingface.co/a/small/resolve/main/config.json', bytes: 5 },
      { url: 'https://huggingface.co/a/big/resolve/main/onnx/text_model.onnx', bytes: 100 },
      { url: 'https://huggingface.co/a/big/resolve/main/config.json', bytes: 7 },
      { url: 'https://huggingface.co/a/big/resolve/v2/config.json', bytes: 3 },
      { url: 'https://elsewhere.org/file.bin', bytes: 1000 },
    ]);
    expect(groups.map((g) => [g.repo, g.revision, g.bytes, g.files.length])).toEqual([
      ['a/big', 'main', 107, 2],
      ['a/small', 'main', 5, 1],
      ['a/big', 'v2', 3, 1],
    ]);
  });
});
