import { describe, expect, it } from 'vitest';
import { byteProgress } from '../../src/lib/runtime/progress';

describe('byteProgress', () => {
  it('sums bytes over every file seen, keeps the latest count per file, ignores other events', () => {
    const reports: { stage: string; loaded: number; total: number; files: number }[] = [];
    const callback = byteProgress((stage, detail) => reports.push({ stage, loaded: detail!.bytes!.loaded, total: detail!.bytes!.total, files: detail!.files!.length }));
    callback({ status: 'initiate', file: 'config.json' });
    callback({ status: 'progress', file: 'onnx/text_model.onnx', loaded: 100, total: 400 });
    callback({ status: 'progress', file: 'onnx/text_model.onnx', loaded: 400, total: 400 });
    callback({ status: 'progress', file: 'onnx/vision_model.onnx', loaded: 50, total: 600 });
    callback({ status: 'done', file: 'onnx/vision_model.onnx' });
    expect(reports).toEqual([
      { stage: 'Downloading onnx/text_model.onnx', loaded: 100, total: 400, files: 1 },
      { stage: 'Downloading onnx/text_model.onnx', loaded: 400, total: 400, files: 1 },
      { stage: 'Downloading onnx/vision_model.onnx', loaded: 450, total: 1000, files: 2 },
    ]);
  });
});
