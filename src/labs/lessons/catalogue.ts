/**
 * Every lesson, in the article's order: contrastive learning (loss and temperature, the modality
 * gap, Llip), masking, generative models (CoCa, CM3leon), pretrained backbones, and where models fail.
 */
import type { Lesson } from './course/types';
import { backbone } from './content/backbone';
import { coca } from './content/coca';
import { failures } from './content/failures';
import { gap } from './content/gap';
import { llip } from './content/llip';
import { masking } from './content/masking';
import { temperature } from './content/temperature';
import { tokens } from './content/tokens';

export const LESSONS: readonly Lesson[] = [temperature, gap, llip, masking, coca, tokens, backbone, failures];
