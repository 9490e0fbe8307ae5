/**
 * Held-out evaluation of shapes-smolvlm through the path the lab runs (smolvlm-model.ts):
 * held-out scenes of one to four shapes (seeds the instruction data never used), drawn at several
 * sizes, shrunk to 64 × 64 by the app's downscaler, one question of each kind per scene from the
 * grammar the model was taught (src/lib/shapes/questions.ts), answered greedily by
 * model.generate. An answer is right when its text is the true answer exactly.
 *
 * Conditions, on the same questions:
 *   stage2         the model (--model), on every drawn variant
 *   stage1         the stage-1 model (--stage1), on the 128 px variant
 *   lm             shapes-lm alone, without the image (the stage-1 folder's language model, which
 *                  stage 1 leaves untouched): the prior the image must overcome
 *   stage2-blind   the stage-2 model without the image
 *
 * Besides accuracy per kind: counting of all shapes (answers one … four), and the share of "yes"
 * among existence questions whose answer is "no" (hallucination).
 */
import { VARIANTS, HELD_OUT_SEED, percent, localModelId, type Variant } from './harness.ts';
import type { EvalFamily } from './family.ts';
import { QUESTION_KINDS, askQuestion, renderScene, seededRandom, generateScene, type QuestionAnswer, type Scene } from '../../src/lib/shapes/index.ts';
import { chatInputs, greedyAnswer, loadSmolVlm, modelImage, type SmolVlmModel, type SmolVlmProcessor } from './smolvlm-model.ts';

/** Variants whose drawing is at least the model's 64 pixels (the model takes 64 × 64, never enlarged). */
export const SMOLVLM_VARIANTS: readonly Variant[] = VARIANTS.filter((v) => v.size >= 64);
export const REFERENCE_VARIANT = '128 px';

export interface Scores {
  /** Share right per question kind, and over all questions. */
  readonly kinds: Record<string, number>;
  readonly all: number;
  /** "How many shapes" questions only (answers one … four). */
  readonly countShapes: number;
  /** Share of "yes." among existence questions whose true answer is "no.". */
  readonly hallucination: number;
  /** Existence questions with true answer "no." / "yes.". */
  readonly existsNo: number;
  readonly existsYes: number;
}

export interface SmolVlmEvalReport {
  readonly count: number;
  readonly questions: number;
  readonly stage2: Record<string, Scores>;
  readonly stage1: Scores;
  readonly lm: Scores;
  readonly stage2Blind: Scores;
  /** The first questions of the reference variant with the true answer and each condition's. */
  readonly examples: { question: string; truth: string; stage2: string; stage1: string; lm: string }[];
}

interface Item { scene: Scene; qa: QuestionAnswer }

/** `count` held-out scenes (one to four shapes in turn) and one question of each kind about each. */
export function heldOutQuestions(count: number): Item[] {
  const random = seededRandom(HELD_OUT_SEED + 7);
  const items: Item[] = [];
  for (let k = 0; k < count; k++) {
    const scene = generateScene(seededRandom(HELD_OUT_SEED + 50_000 + k), { count: ((k % 4) + 1) as 1 | 2 | 3 | 4, plainBackground: k % 5 === 0 });
    for (const kind of QUESTION_KINDS) {
      const qa = askQuestion(kind, scene, random);
      if (qa) items.push({ scene, qa });
    }
  }
  return items;
}

const isCountOfShapes = (qa: QuestionAnswer) => qa.kind === 'count' && /shapes|objects/i.test(qa.question);

export function score(items: readonly Item[], answers: readonly string[]): Scores {
  const right = items.map(({ qa }, i) => answers[i] === qa.answer);
  const share = (pick: (qa: QuestionAnswer) => boolean) => {
    const chosen = items.map((it, i) => [it.qa, right[i]] as const).filter(([qa]) => pick(qa));
    return chosen.length === 0 ? Number.NaN : chosen.filter(([, r]) => r).length / chosen.length;
  };
  const absent = items.map((it, i) => [it.qa, answers[i]] as const).filter(([qa]) => qa.kind === 'exists' && qa.answer === 'no.');
  return {
    kinds: Object.fromEntries(QUESTION_KINDS.map((k) => [k, share((qa) => qa.kind === k)])),
    all: share(() => true),
    countShapes: share(isCountOfShapes),
    hallucination: absent.filter(([, a]) => a === 'yes.').length / Math.max(1, absent.length),
    existsNo: share((qa) => qa.kind === 'exists' && qa.answer === 'no.'),
    existsYes: share((qa) => qa.kind === 'exists' && qa.answer === 'yes.'),
  };
}

export async function answerAll(model: SmolVlmModel, processor: SmolVlmProcessor, items: readonly Item[], v: Variant | null): Promise<string[]> {
  const answers: string[] = [];
  let drawnFor: Scene | null = null;
  let image = null;
  for (const { scene, qa } of items) {
    if (v && scene !== drawnFor) {
      image = modelImage(renderScene(v.plain ? { ...scene, background: [255, 255, 255] } : scene, v.size, { antialias: v.antialias }));
      drawnFor = scene;
    }
    answers.push((await greedyAnswer(model, processor, await chatInputs(processor, qa.question, v ? image : null))).text);
  }
  return answers;
}

export async function evaluateSmolVlm(modelDir: string, stage1Dir: string, count: number): Promise<SmolVlmEvalReport> {
  const items = heldOutQuestions(count);
  const stage2 = await loadSmolVlm(localModelId(modelDir));
  const stage1 = await loadSmolVlm(localModelId(stage1Dir));
  const reference = SMOLVLM_VARIANTS.find((v) => v.name === REFERENCE_VARIANT)!;
  const byVariant: Record<string, Scores> = {};
  let referenceAnswers: string[] = [];
  for (const v of SMOLVLM_VARIANTS) {
    const answers = await answerAll(stage2.model, stage2.processor, items, v);
    if (v === reference) referenceAnswers = answers;
    byVariant[v.name] = score(items, answers);
  }
  const stage1Answers = await answerAll(stage1.model, stage1.processor, items, reference);
  const lmAnswers = await answerAll(stage1.model, stage1.processor, items, null);
  const blindAnswers = await answerAll(stage2.model, stage2.processor, items, null);
  return {
    count, questions: items.length, stage2: byVariant,
    stage1: score(items, stage1Answers), lm: score(items, lmAnswers), stage2Blind: score(items, blindAnswers),
    examples: items.slice(0, 16).map(({ qa }, i) => ({ question: qa.question, truth: qa.answer, stage2: referenceAnswers[i], stage1: stage1Answers[i], lm: lmAnswers[i] })),
  };
}

const COLUMNS = [...QUESTION_KINDS] as string[];
const row = (name: string, s: Scores) => [name, ...COLUMNS.map((k) => percent(s.kinds[k])), percent(s.countShapes), percent(s.hallucination), percent(s.all)].join(' | ');

export const smolvlm: EvalFamily<SmolVlmEvalReport> = {
  flags: { stage1: 'static/models/shapes-smolvlm-stage1' },
  evaluate: ({ modelDir, count, flags }) => evaluateSmolVlm(modelDir, flags.stage1, count),
  lines: (report) => [
    `held-out scenes: ${report.count} (one to four shapes), ${report.questions} questions (seeds from ${HELD_OUT_SEED + 50_000})`,
    ['condition', ...COLUMNS, 'count 1–4', 'yes to absent', 'all'].join(' | '),
    ...SMOLVLM_VARIANTS.map((v) => row(`stage 2, ${v.name}`, report.stage2[v.name])),
    row(`stage 1, ${REFERENCE_VARIANT}`, report.stage1),
    row('shapes-lm, no image', report.lm),
    row('stage 2, no image', report.stage2Blind),
  ],
};
