/**
 * PaliGemma squashes every image to 224 × 224 (aspect ratio not kept): 16 × 16 SigLIP patches,
 * one token each, written before the BOS token of the prompt.
 */
import { countKind, SequenceBuilder } from './sequence';
import type { Architecture, Budget, Size } from './types';

// google/paligemma-3b-pt-224: preprocessor_config.json (SiglipImageProcessor) size 224 × 224,
// image_seq_length 256; vision_config.patch_size 14 (224 / 14 = 16 per side).
const PALIGEMMA = { side: 224, patch: 14, tokens: 256 };

export const paligemma: Architecture = {
  id: 'paligemma',
  name: 'PaliGemma',
  checkpoint: 'google/paligemma-3b-pt-224',
  source: 'transformers: models/siglip/image_processing_siglip.py, models/paligemma/processing_paligemma.py',
  rule: [
    'Resize to 224 × 224, ignoring the aspect ratio.',
    'SigLIP So400m/14: 16 × 16 patches, one token each: 256 <image> tokens.',
    'The processor writes <image>×256, then <bos>, the prompt and a newline.',
  ],
  knobs: [],
  budget(size: Size): Budget {
    const sequence = new SequenceBuilder().image('<image>', PALIGEMMA.tokens).marker('<bos>').text('prompt').text('\n').build();
    const squash = size.width / size.height;
    return {
      resized: { width: PALIGEMMA.side, height: PALIGEMMA.side },
      grid: { rows: 1, cols: 1 },
      tiles: [{ x: 0, y: 0, width: PALIGEMMA.side, height: PALIGEMMA.side, row: 1, col: 1 }],
      global: null,
      encoderPasses: 1,
      encoderInput: { width: PALIGEMMA.side, height: PALIGEMMA.side },
      patchSize: PALIGEMMA.patch,
      reduction: { kind: 'none' },
      visualTokens: countKind(sequence, 'image'),
      markerTokens: countKind(sequence, 'marker'),
      sequence,
      notes: squash === 1 ? [] : [`The image is squashed ${squash > 1 ? 'horizontally' : 'vertically'} by ${Math.max(squash, 1 / squash).toFixed(2)}×.`],
    };
  },
};
