/**
 * Every lesson, in the article's order: contrastive learning (loss and temperature, the modality
 * gap, Llip), masking, generative models (CoCa, CM3leon), pretrained backbones, and failures.
 */
import type { Lesson } from './course/types';
import { temperature } from './content/temperature';

export const LESSONS: readonly Lesson[] = [temperature];
