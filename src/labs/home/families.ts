/**
 * The article's map of vision-language models, by how they are trained (after Bordes et al.,
 * "An Introduction to Vision-Language Modeling", 2024), and the lab where each idea runs live.
 */

export interface LabLink {
  /** The route: `#contrastive`, … */
  readonly lab: string;
  readonly name: string;
  /** What the thumbnail shows, in a few words. */
  readonly figure: string;
}

export interface Family {
  readonly id: string;
  readonly name: string;
  /** One sentence on how the family learns. */
  readonly idea: string;
  /** The article's examples. */
  readonly models: readonly string[];
  readonly labs: readonly LabLink[];
}

export const FAMILIES: readonly Family[] = [
  {
    id: 'contrastive',
    name: 'Contrastive',
    idea: 'Pull each image towards its own caption and push it away from the others in a batch.',
    models: ['CLIP', 'SigLIP', 'Llip'],
    labs: [
      { lab: 'contrastive', name: 'Contrastive lab', figure: 'image × caption softmax' },
      { lab: 'llip', name: 'Llip lab', figure: 'mixture-token weights per caption' },
    ],
  },
  {
    id: 'masking',
    name: 'Masking',
    idea: 'Hide parts of the image or the caption and rebuild them from what is left of both.',
    models: ['FLAVA', 'MaskVLM'],
    labs: [{ lab: 'masking', name: 'Masking lab', figure: 'image–text match and the masked word' }],
  },
  {
    id: 'generative',
    name: 'Generative',
    idea: 'Write the caption, or the image itself, one token at a time.',
    models: ['CoCa', 'CM3leon'],
    labs: [
      { lab: 'generative', name: 'Generative lab', figure: 'a caption and its first token' },
      { lab: 'tokens', name: 'Token lab', figure: 'an image as discrete tokens' },
    ],
  },
  {
    id: 'backbones',
    name: 'Pretrained backbones',
    idea: 'Join a pretrained vision encoder to a pretrained language model and learn the mapping between them.',
    models: ['Idefics', 'InternVL', 'Qwen2-VL', 'MiniCPM-V', 'SmolVLM'],
    labs: [
      { lab: 'backbone', name: 'Backbone lab', figure: 'an answer, token by token' },
      { lab: 'budget', name: 'Image-to-token explorer', figure: 'visual tokens of a 1920 × 1080 photo' },
    ],
  },
  {
    id: 'failures',
    name: 'Where they fail',
    idea: 'Spatial relations, counting, attributes and their binding: minimal pairs that tell.',
    models: ['any model of the playground'],
    labs: [{ lab: 'probes', name: 'Probe lab', figure: 'scores on minimal pairs' }],
  },
];
