/**
 * The text side of shapes-smolvlm and shapes-lm: SmolVLM's chat format and special tokens, the
 * word-level vocabulary of the instruction grammar, and token ids exactly as the exported
 * tokenizer (a lower-casing WordPiece of whole words, punctuation split off) makes them. The
 * forge's data are written with these ids; the parity tests check the tokenizer against them.
 *
 *   <|im_start|>User:<image>What colour is the circle?<end_of_utterance>
 *   Assistant: red.<end_of_utterance>
 */
import { instructionWords } from './questions';

export const CHAT_TOKENS = {
  pad: '[PAD]', unk: '[UNK]', start: '<|im_start|>', end: '<end_of_utterance>',
  image: '<image>', fake: '<fake_token_around_image>', global: '<global-img>',
} as const;

/** Tiles per side of the largest split the image processor makes (a 64-pixel image in 32-pixel tiles). */
export const MAX_TILES_PER_SIDE = 2;

/** The row/column markers of the tiles: <row_1_col_1> … */
export const TILE_TOKENS: readonly string[] = Array.from({ length: MAX_TILES_PER_SIDE ** 2 },
  (_, k) => `<row_${Math.floor(k / MAX_TILES_PER_SIDE) + 1}_col_${(k % MAX_TILES_PER_SIDE) + 1}>`);

/** Special tokens first (ids 0 …), then the words. */
export const SPECIAL_CHAT_TOKENS: readonly string[] = [...Object.values(CHAT_TOKENS), ...TILE_TOKENS];
export const chatVocabulary: readonly string[] = [...SPECIAL_CHAT_TOKENS, ...instructionWords()];
export const CHAT_IDS = Object.fromEntries(Object.entries(CHAT_TOKENS).map(([k, t]) => [k, chatVocabulary.indexOf(t)])) as Record<keyof typeof CHAT_TOKENS, number>;

/** The user turn up to the assistant's answer, as the chat template renders it (with add_generation_prompt). */
export function chatPrompt(question: string, withImage: boolean): string {
  return `${CHAT_TOKENS.start}User:${withImage ? CHAT_TOKENS.image : ' '}${question}${CHAT_TOKENS.end}\nAssistant:`;
}

/** The assistant's answer as the template renders it after the prompt. */
export const chatAnswer = (answer: string) => ` ${answer}${CHAT_TOKENS.end}`;

/**
 * SmolVLM's chat template (Jinja, as tokenizer_config.json holds it): a user turn whose content
 * is a list of image and text parts, and the assistant's turns.
 */
export const CHAT_TEMPLATE = "<|im_start|>{% for message in messages %}{{ message['role'] | capitalize }}"
  + "{% if message['content'][0]['type'] == 'image' %}{{ ':' }}{% else %}{{ ': ' }}{% endif %}"
  + "{% for line in message['content'] %}{% if line['type'] == 'text' %}{{ line['text'] }}{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}"
  + "<end_of_utterance>\n{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}";

const ids = new Map(chatVocabulary.map((w, i) => [w, i]));
const SPECIAL = new RegExp(`(${SPECIAL_CHAT_TOKENS.map((t) => t.replace(/[|[\]<>]/g, (c) => `\\${c}`)).join('|')})`);

/** Token ids of a text with special tokens in it: lower-cased words, punctuation split off, unknown words [UNK]. */
export function encodeChat(text: string): number[] {
  return text.split(SPECIAL).filter((part) => part.length > 0).flatMap((part) => {
    if (ids.has(part) && SPECIAL_CHAT_TOKENS.includes(part)) return [ids.get(part)!];
    const words = part.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '').replace(/([^\p{L}\p{N}\s])/gu, ' $1 ').split(/\s+/);
    return words.filter((w) => w.length > 0).map((w) => ids.get(w) ?? CHAT_IDS.unk);
  });
}
