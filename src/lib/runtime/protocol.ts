/**
 * The inference worker's message protocol: one set of discriminated unions shared by the
 * worker and its client, each side switching exhaustively on `type`.
 *
 * Requests carry an `id`; every response names the request it answers. Tensors travel as
 * `Float32Array`s whose buffers are transferred, not copied.
 */

export type Device = 'webgpu' | 'wasm';
export type DevicePreference = 'auto' | Device;
/** Weight precisions transformers.js can load (file suffixes: "", _fp16, _quantized, _q4, …). */
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16' | 'bnb4';

/**
 * Model families the playground runs. The dual encoders (clip, siglip, jina_clip) each have
 * their own outputs and loss; llip is the forge's Llip, whose image side is K mixture tokens
 * weighed per caption by a cross-attention head (its own graph); coca is the forge's captioner
 * (image encoder, contrastive text encoder, and a decoder graph); maskvlm the forge's masked
 * vision-language model (one graph: masks in, reconstructions and word predictions out);
 * smolvlm a VLM from pretrained backbones in the Idefics3 / SmolVLM layout (vision encoder with
 * a pixel-shuffle connector, token embeddings, a causal language model with a key/value cache);
 * cm3 the forge's CM3leon-style decoder over words and image codes, loaded with its VQ image
 * tokenizer (an encoder from pixels to a grid of codes, a decoder back to pixels).
 */
export type Family = 'clip' | 'siglip' | 'jina_clip' | 'llip' | 'coca' | 'maskvlm' | 'smolvlm' | 'cm3';

/** The families of the Contrastive lab: one embedding per image and one per caption. */
export const DUAL_ENCODERS: readonly Family[] = ['clip', 'siglip', 'jina_clip'];

/** A model the worker can load: a folder in the hub's layout, bundled with the app or on the hub. */
export interface ModelSource {
  /** Bundled: folder name under the app's models path. Hub: `owner/name`. */
  readonly id: string;
  readonly origin: 'bundled' | 'hub';
  /** Hub revision (a commit, branch or tag); default "main". */
  readonly revision?: string;
}

export interface LoadOptions {
  /** Weight precision; default: fp32 for bundled models, the registry's choice for hub ones. */
  readonly dtype?: Dtype;
  /** Where hub repos are fetched from (a mirror); default https://huggingface.co/. */
  readonly hubHost?: string;
  /** WASM threads; default: the runtime's choice. */
  readonly threads?: number;
  /** Families the asking lab can show; another family is refused before any weights download. Default: DUAL_ENCODERS. */
  readonly families?: readonly Family[];
  /** The WebGPU adapter as the page found it (present, reported as a fallback, its name); the worker asks itself without it. */
  readonly adapter?: { readonly present: boolean; readonly fallback: boolean | undefined; readonly name: string };
}

/** `[d0, d1, …]` row-major numbers, as the model graph produced them. */
export interface TensorData {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

/** Raw pixels, row-major `[height, width, channels]`. */
export interface PixelsInput {
  readonly kind: 'pixels';
  readonly width: number;
  readonly height: number;
  readonly channels: 3 | 4;
  readonly data: Uint8ClampedArray;
}

/** An image file as the user gave it (upload, drop, paste), decoded in the worker. */
export interface FileInput {
  readonly kind: 'file';
  readonly name: string;
  readonly blob: Blob;
}

export type ImageInput = PixelsInput | FileInput;

export type Task =
  /** Dual encoders: one embedding per image. Llip: the K mixture tokens of each image, `[images, K, D]`. */
  | { readonly kind: 'image-embeds'; readonly images: readonly ImageInput[]; /** false: no attentions in the result (the Probe lab reads only the embeddings). */ readonly attentions?: boolean }
  | { readonly kind: 'text-embeds'; readonly texts: readonly string[]; /** false: no attentions in the result. */ readonly attentions?: boolean }
  /** Llip's cross-attention head: every image's mixture tokens `[N, K, D]` weighed by every caption `[T, D]`. */
  | { readonly kind: 'llip-head'; readonly mixture: TensorData; readonly texts: TensorData }
  /** The model's tokens of each text, special tokens included (what masks and prefixes index). */
  | { readonly kind: 'tokenize'; readonly texts: readonly string[] }
  /**
   * MaskVLM on one image and one caption: `patchMask` has one entry per patch (1 = masked,
   * row-major), `tokenMask` one per token of the caption as `tokenize` gives them (1 = masked).
   */
  | { readonly kind: 'masked'; readonly image: ImageInput; readonly text: string; readonly patchMask: readonly number[]; readonly tokenMask: readonly number[]; readonly topK: number }
  /** CoCa captions an image, continuing `prefix` (teacher-forced), greedily or by seeded sampling. */
  | { readonly kind: 'caption'; readonly image: ImageInput; readonly prefix: string; readonly sampling: Sampling; readonly alternatives: number }
  /** CoCa's likelihood of each pair's caption given its image (`pairs[k] = [image, caption]`), all pairs in one teacher-forced decoder pass. */
  | { readonly kind: 'caption-likelihood'; readonly images: readonly ImageInput[]; readonly texts: readonly string[]; readonly pairs: readonly (readonly [number, number])[] }
  /**
   * A VLM answers a question about an image (or, with `image` null, the language model alone),
   * streaming each token as a `partial` response before the result.
   */
  | { readonly kind: 'answer'; readonly image: ImageInput | null; readonly question: string; readonly sampling: Sampling; readonly alternatives: number; readonly maxNewTokens: number }
  /**
   * A VLM answers many questions greedily, each about one of `images`, batched: questions whose
   * prompts have the same length and frame count share a generate call (no padding), as many a
   * call as a bound on the prefill's logits allows.
   */
  | { readonly kind: 'answer-batch'; readonly images: readonly ImageInput[]; readonly questions: readonly { readonly image: number; readonly question: string }[]; readonly maxNewTokens: number }
  /** The VQ tokenizer on one image: its grid of codes and their reconstruction. */
  | { readonly kind: 'vq-encode'; readonly image: ImageInput }
  /** The VQ decoder on code grids, each `grid × grid` codes row-major. */
  | { readonly kind: 'vq-decode'; readonly grids: readonly (readonly number[])[] }
  /** CM3 draws an image from a caption, code by code, streaming each as a `partial`. */
  | {
      readonly kind: 'draw';
      readonly caption: string;
      readonly sampling: Sampling;
      readonly alternatives: number;
      /** Classifier-free guidance's scale (src/lib/tokens/guidance.ts); 1 or left out: plain decoding. */
      readonly guidance?: number;
    }
  /** CM3 writes a caption for an image given as its codes, token by token, streaming each as a `partial`. */
  | { readonly kind: 'write-caption'; readonly codes: readonly number[]; readonly sampling: Sampling; readonly alternatives: number };

/** The longest question the VLM lab sends, in characters (longer ones are refused with a message). */
export const MAX_QUESTION_CHARS = 300;

/** A run of the prompt's tokens: text, a marker of the image layout, or one frame's visual tokens. */
export interface PromptSegment {
  readonly kind: 'text' | 'marker' | 'image';
  readonly start: number;
  readonly length: number;
  /** For visual tokens: the frame (tiles row by row, then the global image). */
  readonly frame?: number;
}

/** The prompt exactly as the language model reads it, and how the image became its tokens. */
export interface VlmPrompt {
  /** The chat template rendered, with the image placeholder before it is expanded. */
  readonly template: string;
  /** The expanded token sequence. */
  readonly ids: readonly number[];
  readonly pieces: readonly string[];
  readonly segments: readonly PromptSegment[];
  /** Tiles per column and per row (0 and 0: the image was not split), and the visual tokens per frame. */
  readonly rows: number;
  readonly cols: number;
  readonly imageSeqLen: number;
  /** Every frame the vision encoder saw, `[side, side, 3]` RGB: the tiles row by row, then the global image. */
  readonly frames: readonly Uint8ClampedArray[];
  readonly frameSide: number;
  /** The image (resized, before splitting) that the tiles cover, `[height, width, 3]`; null without an image. */
  readonly resized: { readonly width: number; readonly height: number; readonly pixels: Uint8ClampedArray } | null;
  readonly outcome: ImageOutcome | null;
  /** The vision encoder's self-attention per frame, `[frames, layers, heads, T, T]` (`vision_attentions`), when its graph outputs it. */
  readonly visionAttentions: TensorData | null;
}

/** One generated token of an answer. */
export interface AnswerStep {
  readonly id: number;
  readonly piece: string;
  readonly probability: number;
  readonly alternatives: readonly Candidate[];
  /** Milliseconds from the start of generation (image encoding and prefill included) to this token's choice, on the worker's clock. */
  readonly at: number;
  /**
   * The attention of the query that chose this token over every earlier position,
   * `[layers, heads, positions]` (`decoder_attentions.*`); null when the graph has no such output.
   */
  readonly attention: TensorData | null;
}

export type AnswerPartial = { readonly kind: 'prompt'; readonly prompt: VlmPrompt } | { readonly kind: 'token'; readonly index: number; readonly step: AnswerStep };

/** One token CM3 read or wrote, as the Token lab shows it. */
export interface SequenceToken {
  readonly id: number;
  /** A word, a marker (`<image>`, `</image>`, `[BOS]`, `[EOS]`) or a code (`#17`). */
  readonly piece: string;
  /** The code index, for an image code; null for a word or marker. */
  readonly code: number | null;
}

/** One token CM3 chose. */
export interface SequenceStep extends SequenceToken {
  readonly probability: number;
  /** The most probable tokens at this step, best first. */
  readonly alternatives: readonly (SequenceToken & { readonly probability: number })[];
  /** The attention of the query that chose it over every earlier position, `[layers, heads, positions]`. */
  readonly attention: TensorData;
  /** Milliseconds from the start of generation (the prompt's prefill included) to this token's choice, on the worker's clock. */
  readonly at: number;
}

/** A drawing or a caption as it streams: the prompt, then each step (a drawing's with its partial image). */
export type SequencePartial =
  | { readonly kind: 'sequence-prompt'; readonly prompt: readonly SequenceToken[] }
  | {
      readonly kind: 'sequence-step';
      readonly index: number;
      readonly step: SequenceStep;
      /** A drawing's codes so far decoded, `[S, S, 3]` RGB (cells not drawn yet hold code 0: the view covers them); null for a caption. */
      readonly image: Uint8ClampedArray | null;
    };

/** What a run streams before its result: a VLM's answer, or CM3's drawing or caption. */
export type RunPartial = AnswerPartial | SequencePartial;
export type PartialOf<K extends Task['kind']> = K extends 'answer' ? AnswerPartial : K extends 'draw' | 'write-caption' ? SequencePartial : never;

/** How the next token is chosen: the most probable, or drawn (seeded) from the top k at a temperature. */
export type Sampling =
  | { readonly kind: 'greedy' }
  | { readonly kind: 'sample'; readonly temperature: number; readonly topK: number; readonly seed: number };

/** A caption's tokens: ids and the vocabulary's pieces for them. */
export interface Tokens {
  readonly ids: readonly number[];
  readonly pieces: readonly string[];
  /** Positions of special tokens (start, end, padding), which cannot be masked. */
  readonly special: readonly boolean[];
}

export interface Candidate {
  readonly piece: string;
  readonly probability: number;
}

/** One token of a generated caption. */
export interface CaptionStep {
  readonly id: number;
  readonly piece: string;
  /** The model's probability for this token at its step (also for forced prefix tokens). */
  readonly probability: number;
  /** True for tokens of the typed prefix, fed to the model rather than chosen by it. */
  readonly forced: boolean;
  /** The most probable tokens at this step, best first. */
  readonly alternatives: readonly Candidate[];
}

export type Request =
  | { readonly type: 'load'; readonly id: number; readonly model: ModelSource; readonly device: DevicePreference; readonly options?: LoadOptions }
  | { readonly type: 'run'; readonly id: number; readonly task: Task }
  /** What loading a model would download: its family (from its config) and its tower files' sizes. */
  | { readonly type: 'inspect'; readonly id: number; readonly model: ModelSource; readonly options?: LoadOptions }
  | { readonly type: 'cancel'; readonly id: number }
  /** Fault injection: the worker throws outside any handler, as a real crash would. */
  | { readonly type: 'crash'; readonly id: number }
  /** Fault injection: destroys the WebGPU device the runtime uses, as a lost GPU would. */
  | { readonly type: 'lose-gpu'; readonly id: number }
  /** Fault injection: every write to the model cache fails, as with a full storage quota. */
  | { readonly type: 'fill-storage'; readonly id: number };

export interface ModelInfo {
  readonly source: ModelSource;
  readonly family: Family;
  /** The backend that actually runs the model (may differ from the preference). */
  readonly device: Device;
  readonly dtype: Dtype;
  readonly imageSize: number;
  readonly embedDim: number;
  readonly maxTextTokens: number;
  /** exp of the learned logit scale (1 / temperature); NaN when the model has none (scaleSource 'none'). */
  readonly logitScale: number;
  /** SigLIP's learned logit bias; null for softmax families. */
  readonly logitBias: number | null;
  /**
   * Where the scale (and bias) come from: the graph's own `logit_scale` output, the values
   * published with the weights (for hub towers that do not output them), or the config's
   * initial value when nothing better is known.
   */
  readonly scaleSource: 'graph' | 'published' | 'config-init' | 'none';
  /** WASM threads in use (1 without cross-origin isolation). */
  readonly threads: number;
  /** Why the backend differs from the preference, when it does. */
  readonly note?: string;
  /** Why this backend runs the model (the preference, the adapter, a remembered measurement). */
  readonly backendReason?: string;
  /** The ORT WASM build the worker loaded: 'wasm' runs WASM only, 'webgpu' both backends. */
  readonly ortBuild?: 'wasm' | 'webgpu';
  readonly loadMs: number;
  /** Patches per side of the image encoder (forge models), from the config. */
  readonly patchGrid?: number;
  /** CoCa's generation settings, from its config: start and end token ids, the longest sequence. */
  readonly coca?: { readonly bos: number; readonly eos: number; readonly maxLength: number };
  /** A VLM's shape, from its config and graphs: the connector's factor, tokens per frame, the LM's layers and heads, which attentions the graphs output. */
  readonly vlm?: { readonly scaleFactor: number; readonly imageSeqLen: number; readonly tileSide: number; readonly patchSide: number; readonly layers: number; readonly heads: number; readonly attentions: boolean; readonly splitting: boolean; /** The processor's longest edge: an image is shrunk to it (area averaging) before anything else. */ readonly longestEdge?: number };
  /** CM3's and its VQ tokenizer's shape, from their configs: the code grid, the codebook, the vocabulary's layout, the decoder's layers and heads. */
  readonly tokens?: TokenModelShape;
  /** Llip's shape, from its config: mixture tokens K, cross-attention heads, their temperature. */
  readonly llip?: { readonly mixtureTokens: number; readonly heads: number; readonly temperature: number };
  /** How each encoder's self-attention (and a VLM's decoder attention) reaches the views, for the graphs loaded with a tap. */
  readonly attention?: { readonly text?: AttentionSource; readonly vision?: AttentionSource; readonly decoder?: AttentionSource };
}

/** Where the markers and the image codes sit in CM3's one vocabulary (its config's `vocabulary`). */
export interface TokenVocabulary {
  readonly words: number;
  readonly codes: number;
  readonly cells: number;
  readonly begin_image: number;
  readonly end_image: number;
  readonly first_code: number;
  readonly size: number;
}

export interface TokenModelShape {
  readonly grid: number;
  readonly codebookSize: number;
  readonly vocabulary: TokenVocabulary;
  readonly bos: number;
  readonly eos: number;
  /** Longest caption, [BOS] and [EOS] included. */
  readonly maxCaptionTokens: number;
  readonly layers: number;
  readonly heads: number;
  /** The VQ tokenizer's repo or folder. */
  readonly imageTokenizer: string;
  /** The classifier-free guidance scale the model's evaluation chose for drawing (config `guidance_scale`; 1 when it names none). */
  readonly guidance: number;
}

/**
 * An encoder's attention probabilities: outputs of its graph (the forge exports them), the
 * graph's Softmax outputs tapped at load (hub models), or unavailable, with the reason a person
 * reads (attention fused into one operator, no Softmax at all).
 */
export interface AttentionSource {
  readonly via: 'outputs' | 'tapped' | 'unavailable';
  readonly reason?: string;
}

export interface InspectReport {
  readonly family: Family;
  /** The files the towers load for the chosen precision; bytes null when the server did not say. */
  readonly files: readonly { readonly name: string; readonly bytes: number | null; readonly cached: boolean }[];
}

export interface Timing {
  readonly device: Device;
  readonly dtype: Dtype;
  /** Milliseconds spent in the model graph(s). */
  readonly modelMs: number;
  /** Milliseconds from the request's arrival to its result, preprocessing included. */
  readonly totalMs: number;
}

/** What became of one image: its model-size pixels, or why it could not be used. */
export type ImageOutcome =
  | {
      readonly ok: true;
      readonly width: number;
      readonly height: number;
      /** The pixels the model saw, `[imageSize, imageSize, 3]`. */
      readonly modelInput: Uint8ClampedArray;
      readonly notes: readonly string[];
    }
  | { readonly ok: false; readonly message: string };

export interface TextOutcome {
  readonly tokens: number;
  /** Words the tokenizer maps to its unknown token: the model cannot read them. */
  readonly unknownWords: readonly string[];
  /** Words kept when the caption was longer than the model's text window. */
  readonly truncatedTo?: string;
}

export type TaskResult =
  | {
      readonly kind: 'image-embeds';
      /** `[usable images, embedDim]`, in the order of the usable images. */
      readonly embeds: TensorData;
      /** `[usable images, layers, heads, tokens, tokens]`. */
      readonly attentions: TensorData | null;
      /** One outcome per input image, in input order. */
      readonly outcomes: readonly ImageOutcome[];
    }
  | {
      readonly kind: 'text-embeds';
      /** `[texts, embedDim]`. */
      readonly embeds: TensorData;
      /** `[texts, layers, heads, L, L]` when the graph outputs its attention (padded to the batch's longest text). */
      readonly attentions?: TensorData | null;
      readonly outcomes: readonly TextOutcome[];
    }
  | { readonly kind: 'tokenize'; readonly tokens: readonly Tokens[] }
  | {
      readonly kind: 'masked';
      readonly outcome: ImageOutcome;
      readonly tokens: Tokens;
      /** `pixel_values` `[3, S, S]`, normalised as the model reads them. */
      readonly input: TensorData;
      /** `reconstructed_patches` `[P, patch · patch · 3]` (row, column, RGB within a patch), normalised like the input. */
      readonly reconstructed: TensorData;
      /** The processor's normalisation, to turn values back into colours. */
      readonly mean: readonly number[];
      readonly std: readonly number[];
      /** For each masked token position, the top words of `word_logits` after a softmax. */
      readonly predictions: readonly { readonly position: number; readonly top: readonly Candidate[] }[];
      /** `image_to_text_attentions` `[layers, heads, P, L]` and `text_to_image_attentions` `[layers, heads, L, P]`. */
      readonly imageToText: TensorData;
      readonly textToImage: TensorData;
      /** `itm_probability`: the model's probability that the caption matches the image. */
      readonly itm: number;
      /** The encoders' self-attention `[layers, heads, T, T]` (`vision_attentions`, `text_attentions`), when the graph outputs it. */
      readonly visionAttentions: TensorData | null;
      readonly textAttentions: TensorData | null;
    }
  | {
      readonly kind: 'caption';
      readonly outcome: ImageOutcome;
      readonly steps: readonly CaptionStep[];
      readonly text: string;
      readonly stopped: 'eos' | 'max-length';
      /**
       * The decoder's `cross_attentions` `[layers, heads, L, P]`, every position's rows from its
       * own cached step; the row of step k is position k (the query that predicted token k + 1
       * after the start token).
       */
      readonly crossAttentions: TensorData;
      /** The image encoder's `vision_attentions` `[layers, heads, T, T]` and the decoder's `self_attentions` `[layers, heads, L, L]`, when output. */
      readonly visionAttentions: TensorData | null;
      readonly selfAttentions: TensorData | null;
      /** CoCa's contrastive score of the caption against the image: cosine, and cosine × learned scale. */
      readonly cosine: number;
      readonly logit: number;
    }
  | {
      readonly kind: 'answer';
      readonly prompt: VlmPrompt;
      readonly steps: readonly AnswerStep[];
      readonly text: string;
      readonly stopped: 'eos' | 'max-length';
    }
  | {
      readonly kind: 'vq-encode';
      readonly outcome: ImageOutcome;
      /** The code of each cell, row-major, `grid × grid`. */
      readonly codes: readonly number[];
      /** `pixel_values` `[3, S, S]` as the encoder read them, and the decoder's `pixel_values` from the codes, both normalised. */
      readonly input: TensorData;
      readonly reconstruction: TensorData;
      /** The processor's normalisation, to turn values back into colours. */
      readonly mean: readonly number[];
      readonly std: readonly number[];
    }
  | {
      readonly kind: 'vq-decode';
      /** `pixel_values` `[grids, 3, S, S]`, normalised. */
      readonly pixels: TensorData;
      readonly mean: readonly number[];
      readonly std: readonly number[];
    }
  | {
      readonly kind: 'draw';
      readonly prompt: readonly SequenceToken[];
      /** The classifier-free guidance scale it was drawn with (1: plain decoding). */
      readonly guidance: number;
      readonly steps: readonly SequenceStep[];
      /** The code of each cell, row-major; a cell whose token was not a code, or was never drawn, holds 0. */
      readonly codes: readonly number[];
      /** The decoder's `pixel_values` `[3, S, S]` of the codes, normalised. */
      readonly pixels: TensorData;
      readonly mean: readonly number[];
      readonly std: readonly number[];
      /** `end`: </image> chosen (after every cell, or early, leaving code 0 in the rest); `length`: every cell drawn and one more token that was not </image>. */
      readonly stopped: 'end' | 'length';
    }
  | {
      readonly kind: 'write-caption';
      readonly prompt: readonly SequenceToken[];
      readonly steps: readonly SequenceStep[];
      readonly text: string;
      readonly stopped: 'eos' | 'max-length';
    }
  | {
      readonly kind: 'answer-batch';
      /** Each question's answer, as `answer` gives it greedily: the tokens before the first end token, decoded. */
      readonly answers: readonly string[];
      /** Each question's chosen token ids, up to and including an end token. */
      readonly ids: readonly (readonly number[])[];
      /** How many generate calls (groups of questions) it took. */
      readonly batches: number;
    }
  | {
      readonly kind: 'caption-likelihood';
      /** Mean log-probability per token (the caption's words and [EOS]) of each pair's caption given its image. */
      readonly meanLogProb: Float32Array;
      /** Tokens scored per pair. */
      readonly tokens: readonly number[];
    }
  | {
      readonly kind: 'llip-head';
      /** `mixture_weights` `[N, T, heads, K]`: per head, a softmax over the K mixture tokens. */
      readonly weights: TensorData;
      /** `image_embeds` `[N, T, D]`: each image's contextual embedding under each caption (not normalised). */
      readonly embeds: TensorData;
      /** `logits_per_image` `[N, T]`: scale × cosine of each contextual embedding with its caption. */
      readonly logits: TensorData;
    };

export type ErrorCode =
  | 'model-missing'
  | 'unsupported-model'
  | 'download-cut'
  | 'model-invalid'
  | 'backend-unavailable'
  | 'gpu-lost'
  | 'not-loaded'
  | 'bad-input'
  | 'cancelled'
  | 'internal';

export interface WorkerError {
  readonly code: ErrorCode;
  /** What happened and what to do, for a person. */
  readonly message: string;
}

export type Response =
  | {
      readonly type: 'progress';
      readonly id: number;
      readonly stage: string;
      readonly fraction?: number;
      /** Bytes downloaded so far and in all, over every file of the load, when known. */
      readonly bytes?: { readonly loaded: number; readonly total: number };
      readonly files?: readonly { readonly name: string; readonly loaded: number; readonly total: number }[];
    }
  | { readonly type: 'loaded'; readonly id: number; readonly info: ModelInfo }
  | { readonly type: 'inspected'; readonly id: number; readonly report: InspectReport }
  | { readonly type: 'result'; readonly id: number; readonly result: TaskResult; readonly timing: Timing }
  /** Part of a run's result that is ready before the rest (a VLM's prompt, then each token; CM3's prompt, then each step). */
  | { readonly type: 'partial'; readonly id: number; readonly partial: RunPartial }
  | { readonly type: 'error'; readonly id: number; readonly error: WorkerError };

/**
 * Buffers to transfer with a message, so large arrays move instead of being copied. Only
 * results transfer: a request's pixels are copied, because the page keeps its images to show
 * them and to send them again after a restart.
 */
export function transferables(message: Response | Request): Transferable[] {
  if (message.type !== 'result') return [];
  const { result } = message;
  if (result.kind === 'tokenize') return [];
  const buffers: ArrayBufferLike[] = 'embeds' in result ? [result.embeds.data.buffer] : [];
  if (result.kind === 'llip-head') buffers.push(result.weights.data.buffer, result.logits.data.buffer);
  if (result.kind === 'caption-likelihood') buffers.push(result.meanLogProb.buffer);
  if (result.kind === 'masked') {
    buffers.push(result.input.data.buffer, result.reconstructed.data.buffer, result.imageToText.data.buffer, result.textToImage.data.buffer);
    if (result.visionAttentions) buffers.push(result.visionAttentions.data.buffer);
    if (result.textAttentions) buffers.push(result.textAttentions.data.buffer);
  }
  if (result.kind === 'caption') {
    buffers.push(result.crossAttentions.data.buffer);
    if (result.visionAttentions) buffers.push(result.visionAttentions.data.buffer);
    if (result.selfAttentions) buffers.push(result.selfAttentions.data.buffer);
  }
  if (result.kind === 'masked' || result.kind === 'caption' || result.kind === 'vq-encode') {
    if (result.outcome.ok) buffers.push(result.outcome.modelInput.buffer);
  }
  if (result.kind === 'text-embeds' && result.attentions) buffers.push(result.attentions.data.buffer);
  if (result.kind === 'vq-encode') buffers.push(result.input.data.buffer, result.reconstruction.data.buffer);
  if (result.kind === 'vq-decode' || result.kind === 'draw') buffers.push(result.pixels.data.buffer);
  if (result.kind === 'image-embeds') {
    if (result.attentions) buffers.push(result.attentions.data.buffer);
    for (const o of result.outcomes) if (o.ok) buffers.push(o.modelInput.buffer);
  }
  return [...new Set(buffers)].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
}
