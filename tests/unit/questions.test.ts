/**
 * Scenes of three and four shapes, the questions about a scene with their answers (the
 * instruction grammar of shapes-smolvlm) and the chat tokenization the forge writes its data with.
 */
import { describe, expect, it } from 'vitest';
import {
  CHAT_IDS, EXTENT, QUESTION_KINDS, askQuestion, chatAnswer, chatPrompt, chatVocabulary, columnOf, describeScene, encodeChat,
  generateScene, referringPhrases, related, rowOf, seededRandom, sizeOf, spec, type Scene, type SceneShape,
} from '../../src/lib/shapes';

const scene = (shapes: Partial<SceneShape>[]): Scene => ({
  background: [128, 128, 128],
  shapes: shapes.map((s) => ({ kind: 'circle', colour: 'red', cx: 0.5, cy: 0.5, radius: 0.12, ...s })),
});

describe('generateScene with three or four shapes', () => {
  it('places every shape in a cell of its own, overlapping none, almost always as many as asked', () => {
    let short = 0;
    for (let s = 0; s < 400; s++) {
      const count = s % 2 === 0 ? 3 : 4;
      const { shapes } = generateScene(seededRandom(s), { count });
      if (shapes.length < count) short++;
      const cells = new Set(shapes.map((x) => `${rowOf(x)}${columnOf(x)}`));
      expect(cells.size).toBe(shapes.length);
      for (const [i, a] of shapes.entries()) {
        for (const b of shapes.slice(i + 1)) expect(Math.hypot(a.cx - b.cx, a.cy - b.cy)).toBeGreaterThanOrEqual(EXTENT * (a.radius + b.radius));
      }
    }
    expect(short).toBeLessThan(4);
  });
});

describe('questions and answers', () => {
  const two = scene([{ kind: 'circle', colour: 'red', cx: 0.15, cy: 0.15, radius: 0.1 }, { kind: 'square', colour: 'blue', cx: 0.85, cy: 0.85, radius: 0.24 }]);

  it('describes a scene in reading order, each shape in full', () => {
    expect(describeScene(two)).toBe('a small red circle at the top left and a large blue square at the bottom right.');
  });

  it('names a shape only by what picks it out in the scene', () => {
    const circles = scene([{ colour: 'red', cx: 0.15, cy: 0.15 }, { colour: 'green', cx: 0.85, cy: 0.85 }]);
    expect(referringPhrases(circles.shapes[0], circles)).toEqual(['the red circle', 'the red one']);
    expect(referringPhrases(two.shapes[1], two)).toEqual(['the square', 'the blue square', 'the blue one']);
  });

  it('answers every kind of question truly, existence and relations with yes and with no', () => {
    const random = seededRandom(3);
    const answers: Record<string, Set<string>> = {};
    for (let s = 0; s < 300; s++) {
      const count = (1 + (s % 4)) as 1 | 2 | 3 | 4;
      const sc = generateScene(seededRandom(1000 + s), { count });
      for (const kind of QUESTION_KINDS) {
        const qa = askQuestion(kind, sc, random);
        if (!qa) continue;
        (answers[kind] ??= new Set()).add(qa.answer);
        if (kind === 'count' && /shapes|objects/.test(qa.question)) expect(qa.answer).toBe(`${['one', 'two', 'three', 'four'][sc.shapes.length - 1]}.`);
        if (kind === 'describe') expect(qa.answer).toBe(describeScene(sc));
        if (kind === 'colour') expect(spec.colours.map((c) => `${c.id}.`)).toContain(qa.answer);
        if (kind === 'size' && sc.shapes.length === 1) expect(qa.answer).toBe(`${sizeOf(sc.shapes[0])}.`);
        // A colour question never names the colour it asks for.
        if (kind === 'colour') expect(qa.question.toLowerCase()).not.toContain(qa.answer.slice(0, -1));
      }
    }
    expect([...answers.exists].sort()).toEqual(['no.', 'yes.']);
    expect([...answers.relation].sort()).toEqual(['no.', 'yes.']);
    expect(answers.count.has('four.')).toBe(true);
    expect(QUESTION_KINDS.every((k) => answers[k]?.size > 0)).toBe(true);
  });

  it('decides relations on the 3 × 3 grid', () => {
    const [a, b] = two.shapes;
    expect([related(a, b, 'left-of'), related(a, b, 'above'), related(a, b, 'right-of'), related(a, b, 'below')]).toEqual([true, true, false, false]);
  });
});

describe('chat tokens', () => {
  it('renders SmolVLM\'s chat format and splits it into special tokens and lower-case words', () => {
    const text = chatPrompt('What colour is the Circle?', true) + chatAnswer('red.');
    expect(text).toBe('<|im_start|>User:<image>What colour is the Circle?<end_of_utterance>\nAssistant: red.<end_of_utterance>');
    const words = encodeChat(text).map((id) => chatVocabulary[id]);
    expect(words).toEqual(['<|im_start|>', 'user', ':', '<image>', 'what', 'colour', 'is', 'the', 'circle', '?', '<end_of_utterance>', 'assistant', ':', 'red', '.', '<end_of_utterance>']);
    expect(encodeChat('Is there a purple hexagon')).toContain(CHAT_IDS.unk);
    expect(chatVocabulary.indexOf('<image>')).toBe(CHAT_IDS.image);
  });
});
