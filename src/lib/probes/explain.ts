/** What each suite probes and why models fail it, as the Probe lab shows it. */
import type { SuiteId } from './types';

export interface SuiteText {
  readonly title: string;
  readonly probes: string;
  readonly why: string;
}

export const SUITE_TEXT: Readonly<Record<SuiteId, SuiteText>> = {
  spatial: {
    title: 'Spatial relations',
    probes: 'Two shapes in a line, and the same picture mirrored. The captions differ in one word: "to the left of" against "to the right of" (or "above" against "below").',
    why: 'A contrastive loss is satisfied by a caption embedding that says which shapes and colours are there; where they are matters only when a batch happens to hold the same two shapes the other way round, which is rare. Both captions then land on nearly the same point.',
  },
  binding: {
    title: 'Attribute binding',
    probes: 'Two shapes, and the same two with their colours swapped. "a red circle and a blue square" against "a blue circle and a red square": the same words, bound differently.',
    why: 'A pooled embedding can hold "red, blue, circle, square" without holding which colour belongs to which shape. Matching bags of words is enough to separate most captions in a training batch, so binding is learned late or not at all.',
  },
  order: {
    title: 'Word order',
    probes: 'Two shapes of one colour, and the same two swapped in place. "a green circle above a green square" against "a green square above a green circle": the same words in another order.',
    why: 'A text encoder that averages its tokens, or was never asked to tell reorderings apart, gives both orders the same embedding. Only the order carries the difference, so nothing else can rescue the model.',
  },
  counting: {
    title: 'Counting',
    probes: 'One to three shapes of a kind (sometimes beside a shape of another kind), and the same scene with one more. "two circles" against "three circles".',
    why: 'ShapesWorld\'s captions count only to two ("two circles"), as captions in the wild rarely count at all, and one more small shape changes a pooled image embedding little. A tokenizer that never saw a number word reads it as unknown: the table names such words, and both captions then read the same.',
  },
  existence: {
    title: 'Existence and hallucination',
    probes: 'One shape shared by both images and one that differs in colour and kind. Each caption names an object the other image does not have. Question-answering models are asked "Is there a …?" of the image that lacks it.',
    why: 'A caption that shares most words with the truth scores high even when its object is absent, and a language model that has learned "yes" is the usual answer to "Is there …?" says yes to objects that are not there.',
  },
  ignored: {
    title: 'Ignored words',
    probes: 'A true caption against the same caption with one false detail added (a colour, a size or a place); the second image makes that detail true. Only one image has a false caption, so the chance levels differ from the other suites.',
    why: 'When the rest of a caption matches, an embedding can ignore one word and still score well; captions in training rarely hinge on a single extra word.',
  },
};

export const SCORE_TEXT = {
  text: 'Text score: for an image, the true caption scores above the false one.',
  image: 'Image score: for a caption, the true image scores above the false one.',
  group: 'Group score: both at once, for every image and caption of the pair.',
  accuracy: 'Accuracy: the answer starts with the true one ("yes", "three", "small", "at the top left").',
  hallucination: 'Hallucination rate: "yes" to a yes-or-no question about something that is not in the image.',
  below: 'Far below chance is a finding too: a model that embeds both captions of a pair alike prefers the same image for both, so its image and group scores fall to zero.',
} as const;
