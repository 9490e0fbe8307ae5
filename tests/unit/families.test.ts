/** Each dual-encoder family's specifics: the classes, the outputs read, the padding, the initial scale. */
import { describe, expect, it } from 'vitest';
import { CLIPTextModelWithProjection, JinaCLIPVisionModel, SiglipTextModel, SiglipVisionModel } from '@huggingface/transformers';
import { familyOf } from '../../workers/families/specs';

describe('dual-encoder families', () => {
  it('CLIP and MobileCLIP use the CLIP towers, their projected embeddings and dynamic padding', () => {
    for (const type of ['clip', 'mobileclip']) {
      const spec = familyOf(type)!;
      expect(spec.family).toBe('clip');
      expect(spec.text).toBe(CLIPTextModelWithProjection);
      expect([spec.textEmbeds, spec.imageEmbeds]).toEqual(['text_embeds', 'image_embeds']);
      expect(spec.padding).toBe(true);
    }
    // Without a learned value, CLIP starts from the config's initial scale: exp(2.6592) ≈ 14.285.
    expect(familyOf('clip')!.initialScale!({ logit_scale_init_value: 2.6592 }).scale).toBeCloseTo(14.2848, 3);
    expect(familyOf('clip')!.initialScale!({}).bias).toBeNull();
  });

  it('SigLIP pads to max_length, reads pooler_output and starts at t = 10, b = −10', () => {
    const spec = familyOf('siglip')!;
    expect(spec.text).toBe(SiglipTextModel);
    expect(spec.vision).toBe(SiglipVisionModel);
    expect(spec.padding).toBe('max_length');
    expect([spec.textEmbeds, spec.imageEmbeds]).toEqual(['pooler_output', 'pooler_output']);
    expect(spec.initialScale!({})).toEqual({ scale: 10, bias: -10 });
  });

  it('jina-clip reads its own l2-normalised outputs', () => {
    const spec = familyOf('jina_clip')!;
    expect(spec.vision).toBe(JinaCLIPVisionModel);
    expect([spec.textEmbeds, spec.imageEmbeds]).toEqual(['l2norm_text_embeddings', 'l2norm_image_embeddings']);
  });

  it('refuses other model types', () => {
    for (const type of ['bert', 'llava', undefined, 42]) expect(familyOf(type)).toBeNull();
  });
});

describe('the forge Llip', () => {
  it('is its own family: towers by graph name, mixture tokens as the image output, and a head graph', () => {
    const spec = familyOf('shapes_llip')!;
    expect(spec.family).toBe('llip');
    expect(spec.imageEmbeds).toBe('mixture_tokens');
    expect(spec.textEmbeds).toBe('text_embeds');
    expect(Object.keys(spec.graphs ?? {})).toEqual(['head']);
    expect(familyOf('clip')!.graphs).toBeUndefined();
  });
});

describe('the forge MaskVLM', () => {
  it('runs as one graph, with no image–text logit to scale', () => {
    const spec = familyOf('shapes_maskvlm')!;
    expect(spec.family).toBe('maskvlm');
    expect(spec.text).toBeNull();
    expect(spec.vision).toBeNull();
    expect(Object.keys(spec.graphs ?? {})).toEqual(['model']);
    expect(spec.initialScale).toBeNull();
  });
});
