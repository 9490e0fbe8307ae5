/**
 * A curated registry of Hugging Face hub models the playground can load with
 * `@huggingface/transformers` 4.3.2, with facts checked against the repositories
 * themselves (read through stored copies of huggingface.co pages: tree listings,
 * blob pages, commit pages with Git LFS pointers).
 *
 * Sizes are bytes of one tower file each. Where a number is exact it comes from a Git
 * LFS pointer (`size N`) on a hub commit page, or from a third-party manifest that pins
 * the same file by its sha256 (the sha256 is the LFS oid the hub's blob page shows, so
 * the object is the same); every such number also rounds to the size the hub's file
 * listing displays (tests/unit/registry.test.ts checks that). Where only the hub's
 * rounded display ("344 MB", decimal units) was found, the value is that display
 * times 10^6 and the pair is marked `approximate`.
 *
 * File names follow transformers.js: a tower loads `onnx/<base><suffix>.onnx`, base
 * `text_model` / `vision_model` (CLIPTextModelWithProjection, SiglipTextModel,
 * JinaCLIPTextModel, … set `model_file_name`), suffix from the dtype
 * (node_modules/@huggingface/transformers/src/utils/dtypes.js, DEFAULT_DTYPE_SUFFIX_MAPPING).
 */
import type { Device, Dtype, Family } from '../runtime/protocol';

export type { Device, Dtype, Family };

/** Bytes of the two tower files of one dtype. */
export interface TowerSizes {
  readonly text: number;
  readonly vision: number;
  /** At least one of the two is the hub's rounded display, not an exact byte count. */
  readonly approximate?: boolean;
}

export interface HubModelEntry {
  /** `owner/name` on the hub. */
  readonly id: string;
  readonly family: Family;
  readonly label: string;
  /** A full 40-hex commit at which every file listed in `files` exists. */
  readonly revision: string;
  /** Side of the square the image processor crops to (preprocessor_config.json / config.json). */
  readonly imageSize: number;
  /** Only dtypes whose two tower files exist at `revision` and whose sizes were found. */
  readonly files: Readonly<Partial<Record<Dtype, TowerSizes>>>;
  /** Dtypes whose files exist at `revision` but whose sizes could not be pinned; not offered. */
  readonly unsizedDtypes?: readonly Dtype[];
  readonly note?: string;
  /**
   * The learned logit scale (and SigLIP bias) of the released weights, for towers whose ONNX
   * graphs do not output it. Only where the value is documented.
   */
  readonly published?: { readonly scale: number; readonly bias: number | null; readonly source: string };
}

/** transformers.js 4.3.2 dtype → model file suffix (src/utils/dtypes.js, DEFAULT_DTYPE_SUFFIX_MAPPING). */
export const DTYPE_SUFFIX: Readonly<Record<Dtype, string>> = Object.freeze({
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
});

/** Canonical order for listing dtypes (largest files first, roughly). */
export const DTYPE_ORDER: readonly Dtype[] = Object.freeze(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4'] as const);


function entry(e: HubModelEntry): HubModelEntry {
  const files: Partial<Record<Dtype, TowerSizes>> = {};
  for (const dtype of DTYPE_ORDER) {
    const sizes = e.files[dtype];
    if (sizes) files[dtype] = Object.freeze({ ...sizes });
  }
  return Object.freeze({
    ...e,
    files: Object.freeze(files),
    ...(e.unsizedDtypes ? { unsizedDtypes: Object.freeze([...e.unsizedDtypes]) } : {}),
  });
}

/**
 * OpenAI's CLIP clips its learned scale at 100 and the released ViT-B checkpoints sit there
 * (logit_scale = ln 100 = 4.6052; Radford et al. 2021, section 2.5).
 */
const OPENAI_CLIP_SCALE: HubModelEntry['published'] = {
  scale: 100,
  bias: null,
  source: 'CLIP paper, section 2.5: the scale is clipped at 100',
};

export const HUB_MODELS: readonly HubModelEntry[] = Object.freeze([
  /*
   * Xenova/clip-vit-base-patch32 — model_type clip; loads with CLIPTextModelWithProjection /
   * CLIPVisionModelWithProjection.
   * Revision + file list: https://huggingface.co/Xenova/clip-vit-base-patch32/tree/4c1807b705b1d015fb032789cc4d221b23025a6f/onnx
   *   (text_model 254 MB, _fp16 127 MB, _quantized 64.5 MB; vision_model 352 MB, _fp16 176 MB, _quantized 89.1 MB;
   *   also combined model*.onnx, not used here).
   * vision fp16 176080659: LFS pointer on https://huggingface.co/Xenova/clip-vit-base-patch32/commit/0b95b21b04a877260b196dfc3ebdb79c3c8be8ca
   * text fp16 127339794: sha256 df587ffb… shown on https://huggingface.co/Xenova/clip-vit-base-patch32/blob/0b95b21b04a877260b196dfc3ebdb79c3c8be8ca/onnx/text_model_fp16.onnx;
   *   byte count from third-party manifests pinning that sha256 (public GitHub code, several projects).
   * text q8 64504507: sha256 73baab85… shown on https://huggingface.co/Xenova/clip-vit-base-patch32/blob/b8b103f67eef16b29539311ff78dde6c4a754370/onnx/text_model_quantized.onnx;
   *   byte count from third-party manifests pinning that sha256.
   * vision fp32 351685709: sha256 fd6e1402… shown on https://huggingface.co/Xenova/clip-vit-base-patch32/blob/4c1807b705b1d015fb032789cc4d221b23025a6f/onnx/vision_model.onnx;
   *   byte count from third-party manifests pinning that sha256.
   * text fp32 254058553 (sha256 3f6571f5…) and vision q8 89117001 (sha256 583fd111…): third-party manifests only
   *   (several agree; no hub blob page for these two was found); they round to the 254 MB / 89.1 MB listed above.
   * Image size 224: CLIP ViT-B/32 preprocessing (crop_size 224).
   * A later revision, d15189d7028b43f1d3e65039190477f6af591c2a (seen only in third-party pins), also has
   * onnx/*_int8.onnx (text 64070791, vision 88648877 per those pins); not listed because not seen on a hub page.
   */
  entry({
    id: 'Xenova/clip-vit-base-patch32',
    published: OPENAI_CLIP_SCALE,
    family: 'clip',
    label: 'CLIP ViT-B/32 (OpenAI)',
    revision: '4c1807b705b1d015fb032789cc4d221b23025a6f',
    imageSize: 224,
    files: {
      fp32: { text: 254_058_553, vision: 351_685_709 },
      fp16: { text: 127_339_794, vision: 176_080_659 },
      q8: { text: 64_504_507, vision: 89_117_001 },
    },
  }),

  /*
   * Xenova/clip-vit-base-patch16 — model_type clip; CLIP*WithProjection classes.
   * Revision 9a1940e… is the last commit touching onnx/ on https://huggingface.co/Xenova/clip-vit-base-patch16/tree/main/onnx
   *   (text_model 254 MB, _fp16 127 MB, _quantized 64.5 MB; vision_model 345 MB, _fp16 173 MB, _quantized 87.5 MB).
   * fp32 + q8, both towers (exact, LFS pointers): https://huggingface.co/Xenova/clip-vit-base-patch16/commit/c32d8e02b868e2fbb4d080d155161b06393fb0f2
   * text fp16 (exact): https://huggingface.co/Xenova/clip-vit-base-patch16/commit/0c07da51292e02b474ac0db347e3bbb06fa70acb
   * vision fp16 (exact): https://huggingface.co/Xenova/clip-vit-base-patch16/commit/9a1940eefaddfa46fe89df96accca7d90bf3a57b
   * Image size 224.
   */
  entry({
    id: 'Xenova/clip-vit-base-patch16',
    published: OPENAI_CLIP_SCALE,
    family: 'clip',
    label: 'CLIP ViT-B/16 (OpenAI)',
    revision: '9a1940eefaddfa46fe89df96accca7d90bf3a57b',
    imageSize: 224,
    files: {
      fp32: { text: 254_058_553, vision: 345_060_583 },
      fp16: { text: 127_339_794, vision: 172_768_684 },
      q8: { text: 64_504_507, vision: 87_461_602 },
    },
  }),

  /*
   * Xenova/siglip-base-patch16-224 — model_type siglip (https://huggingface.co/Xenova/siglip-base-patch16-224/blob/main/config.json);
   * loads with SiglipTextModel / SiglipVisionModel (outputs `pooler_output`, not `text_embeds`).
   * Revision + file list: https://huggingface.co/Xenova/siglip-base-patch16-224/tree/294847d6b5fe86c91330269da98ce112d6c75e7e/onnx
   *   (text_model 441 MB, _fp16 221 MB, _quantized 111 MB; vision_model 372 MB, _fp16 186 MB, _quantized 99.5 MB).
   * text fp16 220867426: https://huggingface.co/Xenova/siglip-base-patch16-224/commit/65a4a3071a821054207f0a80eaa35fb2ed6d46f0
   * vision fp16 186142673: https://huggingface.co/Xenova/siglip-base-patch16-224/commit/294847d6b5fe86c91330269da98ce112d6c75e7e
   * fp32 (text 441332132 sha256 3aa7fdbd…, vision 371819850 sha256 f89d41ba…) and q8 (text 111475220 sha256 ad0329b1…,
   *   vision 99499129 sha256 ef14a954…): third-party manifests pinned at revision 4649052661e53c7000355844105f8a1792088239
   *   (whose fp16 sha256s match the two hub commits above); they round to the sizes listed above.
   * Image size 224 (the repo name; SigLIP base/16-224).
   */
  entry({
    id: 'Xenova/siglip-base-patch16-224',
    family: 'siglip',
    label: 'SigLIP base/16, 224 px (Google)',
    revision: '294847d6b5fe86c91330269da98ce112d6c75e7e',
    imageSize: 224,
    files: {
      fp32: { text: 441_332_132, vision: 371_819_850 },
      fp16: { text: 220_867_426, vision: 186_142_673 },
      q8: { text: 111_475_220, vision: 99_499_129 },
    },
    note: "Tokenize with padding: 'max_length' (as transformers.js's SigLIP examples do); scores are sigmoid(scale·cos + bias), not a softmax.",
  }),

  /*
   * Xenova/mobileclip_s0 — Apple MobileCLIP-S0 exported with model_type clip (repo tags: clip, mobileclip); loads with the
   * CLIP*WithProjection classes. Main at https://huggingface.co/Xenova/mobileclip_s0/tree/main was 9db4e77…, onnx/ last
   * changed by "Upload quantized ONNX weights (#1)"; the revision pinned here, 757d59c…, is the one third-party manifests
   * pin and measured (it has the #1 files).
   * vision fp32 45543630: LFS pointer on https://huggingface.co/Xenova/mobileclip_s0/commit/f13557b8ac7cf7f77adec07a1c70adfc3ea67f91
   *   (sha256 17d3c037…, the same oid third parties pin at 757d59c…).
   * text fp32 169807789 (sha256 f6e9bd57…): third-party manifests at 757d59c… and at main. (The first upload in f13557b was
   *   169805586 bytes, sha256 6f3af89c…; it was replaced later.)
   * text fp16 84971030: LFS pointer on https://huggingface.co/Xenova/mobileclip_s0/commit/0e2bd65408f6851fbbf711a4a3c572bdb3b2cd67,
   *   same sha256 (2f74b7b3…) as https://huggingface.co/Xenova/mobileclip_s0/blob/main/onnx/text_model_fp16.onnx ("85 MB").
   * vision fp16 22876479 (sha256 22b1d36e…), text q8 42799238 (sha256 b8557b10…): third-party manifests at 757d59c…
   * vision q8 11846843: a single third-party manifest (no sha256 beside it) — the least certain number here.
   * Image size 256: https://huggingface.co/Xenova/mobileclip_s0/blob/9db4e77d9bbdeb1c1e8c1efa9702047e8d2d5ec2/preprocessor_config.json
   *   (shortest_edge 256, crop 256, do_normalize false, resample 2).
   * int8/uint8/q4/bnb4 exist (#1 added them) but two different uploads of the int8/uint8 files exist in the history
   *   (commits 0e2bd65 and 2aa0f6f) and vision sizes were not found, so they are not offered.
   */
  entry({
    id: 'Xenova/mobileclip_s0',
    family: 'clip',
    label: 'MobileCLIP-S0 (Apple)',
    revision: '757d59c9c6870a76a4b0306f05f5061bca15c39f',
    imageSize: 256,
    files: {
      fp32: { text: 169_807_789, vision: 45_543_630 },
      fp16: { text: 84_971_030, vision: 22_876_479 },
      q8: { text: 42_799_238, vision: 11_846_843 },
    },
    unsizedDtypes: ['int8', 'uint8', 'q4', 'bnb4'],
    note:
      'Pixels are only rescaled to [0, 1] (no mean/std). Several third-party projects report the 8-bit vision tower ' +
      '(dynamic ConvInteger quantisation) ranks images badly; prefer fp32/fp16 for the vision tower. Weights: Apple ML research licence.',
  }),

  /*
   * jinaai/jina-clip-v1 — model_type jina_clip (https://huggingface.co/jinaai/jina-clip-v1/blob/refs%2Fpr%2F12/config.json:
   * JinaBERT text tower, EVA02 vision tower, vision_config.image_size 224, projection_dim 768). transformers.js loads the
   * towers with JinaCLIPTextModel / JinaCLIPVisionModel (model_file_name text_model / vision_model); there is no combined
   * onnx/model.onnx in this repo, so JinaCLIPModel / AutoModel cannot be used.
   * Revision + file list: https://huggingface.co/jinaai/jina-clip-v1/tree/fd7f7158b59ba9347679ec009a6547936d2c7378/onnx
   *   (onnx/ last changed by "fix-onnx-weights (#23)"; https://huggingface.co/jinaai/jina-clip-v1/commits/main/onnx lists only
   *   #8 and #23). Listed: text_model 548 MB, _bnb4 158 MB, _fp16 274 MB, _int8 138 MB, _q4 165 MB, _quantized 138 MB,
   *   _uint8 138 MB; vision_model 344 MB, _bnb4 51.9 MB, _fp16 172 MB, _int8 87.9 MB, _q4 57.2 MB, _quantized 87.9 MB,
   *   _uint8 87.9 MB (https://huggingface.co/jinaai/jina-clip-v1/tree/refs%2Fpr%2F30/onnx shows the same with _uint8).
   * text fp32 547534356, text fp16 274151451: https://huggingface.co/jinaai/jina-clip-v1/commit/903aaac0577ee050ebbf41a2e9ec60fbfb13bd91
   * text int8 138070131 and text bnb4 158208436: https://huggingface.co/jinaai/jina-clip-v1/commit/add6d4a4b180df2ef104d18359a765e92e2f3c27
   *   (the #8 upload; #23 changed only text_model.onnx and text_model_fp16.onnx). text q8 = the same object as text int8:
   *   https://huggingface.co/jinaai/jina-clip-v1/blob/main/onnx/text_model_quantized.onnx shows sha256 bfc6462c…, the int8 oid.
   * Every vision size, and text q4 / uint8: the tree listing's rounded display only (approximate).
   */
  entry({
    id: 'jinaai/jina-clip-v1',
    family: 'jina_clip',
    label: 'Jina CLIP v1',
    revision: 'fd7f7158b59ba9347679ec009a6547936d2c7378',
    imageSize: 224,
    files: {
      fp32: { text: 547_534_356, vision: 344_000_000, approximate: true },
      fp16: { text: 274_151_451, vision: 172_000_000, approximate: true },
      q8: { text: 138_070_131, vision: 87_900_000, approximate: true },
      int8: { text: 138_070_131, vision: 87_900_000, approximate: true },
      uint8: { text: 138_000_000, vision: 87_900_000, approximate: true },
      q4: { text: 165_000_000, vision: 57_200_000, approximate: true },
      bnb4: { text: 158_208_436, vision: 51_900_000, approximate: true },
    },
    note:
      'Load with JinaCLIPTextModel / JinaCLIPVisionModel (no combined model.onnx). BERT-style tokenizer; images go through ' +
      "JinaCLIPImageProcessor. The repo's Python code is custom (trust_remote_code); transformers.js needs none of it.",
  }),
]);

/** The entry for a hub id, or undefined. */
export function findHubModel(id: string): HubModelEntry | undefined {
  return HUB_MODELS.find((m) => m.id === id);
}

/** Dtypes the entry lists sizes for, in DTYPE_ORDER. */
export function dtypesOf(entry: HubModelEntry): Dtype[] {
  return DTYPE_ORDER.filter((d) => entry.files[d] !== undefined);
}

/** Paths of the two tower files transformers.js fetches for a dtype. */
export function towerFiles(dtype: Dtype): { readonly text: string; readonly vision: string } {
  const suffix = DTYPE_SUFFIX[dtype];
  return { text: `onnx/text_model${suffix}.onnx`, vision: `onnx/vision_model${suffix}.onnx` };
}

/**
 * Bytes to download for both towers of a dtype (configs and tokenizer not counted).
 * @throws RangeError when the entry lists no files for that dtype.
 * @example downloadBytes(findHubModel('Xenova/clip-vit-base-patch32')!, 'q8') // 64_504_507 + 89_117_001 = 153_621_508
 */
export function downloadBytes(entry: HubModelEntry, dtype: Dtype): number {
  const sizes = entry.files[dtype];
  if (!sizes) throw new RangeError(`${entry.id} has no ${dtype} files in the registry`);
  return sizes.text + sizes.vision;
}

/**
 * The dtype to load when the user has not chosen one.
 * - WASM: q8 when the repo has it (what transformers.js itself defaults to on wasm), else fp32.
 * - WebGPU: fp16 when the adapter reports `shader-f16` and the repo has fp16 files (transformers.js
 *   refuses fp16 on WebGPU without it); otherwise fp32, or q8 for a repo with no fp32 files.
 * The caller detects `shader-f16` at run time (`adapter.features.has('shader-f16')`).
 */
export function defaultDtype(entry: HubModelEntry, device: Device, hasShaderF16: boolean): Dtype {
  const has = (d: Dtype) => entry.files[d] !== undefined;
  if (device === 'wasm') return has('q8') ? 'q8' : 'fp32';
  if (hasShaderF16 && has('fp16')) return 'fp16';
  return has('fp32') ? 'fp32' : 'q8';
}

const REPO_PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?$/;

/**
 * Whether `text` is a hub model id `owner/name`, by the hub's rules as huggingface_hub's
 * `validate_repo_id` states them: ASCII letters, digits, '-', '_', '.'; '-' and '.' cannot start or end
 * a part; '--' and '..' are forbidden; at most 96 characters (applied to both parts here); no '.git' ending.
 * Exactly one '/': a bare name (allowed by the hub for legacy repos) is rejected so ids are unambiguous.
 */
export function isRepoId(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  const parts = text.split('/');
  if (parts.length !== 2) return false;
  if (text.includes('--') || text.includes('..') || text.endsWith('.git')) return false;
  return parts.every((p) => p.length >= 1 && p.length <= 96 && REPO_PART.test(p));
}

const UNITS = ['kB', 'MB', 'GB', 'TB', 'PB'] as const;

/**
 * A byte count the way the hub displays it: decimal units, three significant digits, trailing
 * zeros dropped ("64.5 MB", "254 MB", "86 MB"); under 1000 it is "N B".
 * @throws RangeError for negative, fractional or non-finite input.
 * @example formatBytes(64_504_507) // "64.5 MB"
 */
export function formatBytes(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`not a byte count: ${n}`);
  if (n < 1000) return `${n} B`;
  let value = n / 1000;
  let unit = 0;
  for (;;) {
    const rounded = Number(value.toPrecision(3));
    if (rounded < 1000 || unit === UNITS.length - 1) return `${rounded} ${UNITS[unit]}`;
    value /= 1000;
    unit++;
  }
}

/** Bytes of a VLM's three graph files for one dtype (Idefics3 / SmolVLM layout). */
export interface VlmGraphSizes {
  readonly visionEncoder: number;
  readonly embedTokens: number;
  readonly decoder: number;
  /** The hub's rounded display ("187 MB", decimal units) times 10^6, not exact byte counts. */
  readonly approximate: true;
}

export interface VlmHubEntry {
  readonly id: string;
  readonly family: 'smolvlm';
  readonly label: string;
  /** A full 40-hex commit. */
  readonly revision: string;
  /** Dtypes whose three files were seen at (or unchanged up to) `revision`, with their sizes; empty when none were found. */
  readonly files: Readonly<Partial<Record<Dtype, VlmGraphSizes>>>;
  readonly note: string;
}

/**
 * The hub's SmolVLM models, which the Backbone lab runs through the same code as the forge's
 * shapes-smolvlm. Their decoders output no attentions: the lab says so where it would show them.
 */
export const VLM_HUB_MODELS: readonly VlmHubEntry[] = Object.freeze([
  /*
   * HuggingFaceTB/SmolVLM-256M-Instruct — model_type idefics3 (SmolLM2-135M text model, 30 layers,
   * 9 heads; 512-px tiles of 64 visual tokens, scale_factor 4).
   * Revision acc054744d60adea9d88214dab6e2219e6e512a7 ("Add ONNX sample code"); its onnx/ listing:
   *   https://huggingface.co/HuggingFaceTB/SmolVLM-256M-Instruct/tree/acc054744d60adea9d88214dab6e2219e6e512a7/onnx
   *   decoder_model_merged: _fp16 271 MB, _int8 138 MB, _q4f16 77.4 MB (last changed by cee7dc3 / 9181b0e, before acc0547).
   * embed_tokens: _int8 28.4 MB (blob page at acc0547); _fp16 56.8 MB and _q4f16 56.8 MB (blob pages at refs/pr/3 and
   *   refs/pr/5, both last changed by 9181b0e, the upload the acc0547 listing also shows for embed_tokens).
   * vision_encoder: _int8 94.2 MB (blob page at acc0547); _fp16 187 MB (blob page at ab233b7) and _q4f16 55 MB
   *   (refs/pr/5), both last changed by 192fb0b ("Upload fixed vision ONNX weights (#2)"), before acc0547.
   */
  Object.freeze({
    id: 'HuggingFaceTB/SmolVLM-256M-Instruct',
    family: 'smolvlm' as const,
    label: 'SmolVLM-256M-Instruct (Hugging Face)',
    revision: 'acc054744d60adea9d88214dab6e2219e6e512a7',
    files: Object.freeze({
      fp16: { visionEncoder: 187_000_000, embedTokens: 56_800_000, decoder: 271_000_000, approximate: true as const },
      int8: { visionEncoder: 94_200_000, embedTokens: 28_400_000, decoder: 138_000_000, approximate: true as const },
      q4f16: { visionEncoder: 55_000_000, embedTokens: 56_800_000, decoder: 77_400_000, approximate: true as const },
    }),
    note: 'WebGPU recommended (q4f16 and fp16 need shader-f16). Its decoder outputs no attentions.',
  }),
  /*
   * HuggingFaceTB/SmolVLM-500M-Instruct — model_type idefics3 (SmolLM2-360M text model).
   * Revision a7da5b986cb59b408707209984f360a5f4ad7e47: a commit of the repo named in a public script that fetches its
   * README at that revision. Its onnx/ listing was not found (the repo has had onnx/ with the same three graphs since
   * 9ab0f87, "Wrap fp16 inputs for ONNX decoder", https://huggingface.co/HuggingFaceTB/SmolVLM-500M-Instruct/tree/refs%2Fpr%2F3),
   * so no sizes are pinned: the lab reads each file's size from the hub before asking to download.
   */
  Object.freeze({
    id: 'HuggingFaceTB/SmolVLM-500M-Instruct',
    family: 'smolvlm' as const,
    label: 'SmolVLM-500M-Instruct (Hugging Face)',
    revision: 'a7da5b986cb59b408707209984f360a5f4ad7e47',
    files: Object.freeze({}),
    note: 'WebGPU recommended. Sizes are read from the hub before the download. Its decoder outputs no attentions.',
  }),
]);

/** Paths of a VLM's three graph files for a dtype, as AutoModelForVision2Seq fetches them. */
export function vlmGraphFiles(dtype: Dtype): string[] {
  const suffix = DTYPE_SUFFIX[dtype];
  return ['vision_encoder', 'embed_tokens', 'decoder_model_merged'].map((name) => `onnx/${name}${suffix}.onnx`);
}

/** Bytes of a VLM entry's three files for a dtype, or null when they are not pinned. */
export function vlmDownloadBytes(entry: VlmHubEntry, dtype: Dtype): number | null {
  const sizes = entry.files[dtype];
  return sizes ? sizes.visionEncoder + sizes.embedTokens + sizes.decoder : null;
}
