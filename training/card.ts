/**
 * Writes a forge model's card (README.md in its folder) from what the forge measured: its
 * config, training.json, the eval results of `training/eval.ts` and its files' sizes. No number
 * in a card is typed by hand. Each family's text is in training/cards/<family>.ts.
 *
 *   tsx training/card.ts <clip|siglip|llip|coca|maskvlm> static/models/shapes-<family>
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFolder } from './cards/folder.ts';
import { clipCard } from './cards/clip.ts';
import { cocaCard } from './cards/coca.ts';
import { siglipCard } from './cards/siglip.ts';
import { llipCard } from './cards/llip.ts';
import { maskvlmCard } from './cards/maskvlm.ts';
import { smolvlmCard } from './cards/smolvlm.ts';
import { vqCard } from './cards/vq.ts';
import { cm3Card } from './cards/cm3.ts';

const CARDS: Record<string, (folder: ModelFolder) => string> = {
  clip: clipCard,
  siglip: siglipCard,
  llip: llipCard,
  coca: cocaCard,
  maskvlm: maskvlmCard,
  smolvlm: smolvlmCard,
  vq: vqCard,
  cm3: cm3Card,
};

const [family, dir = `static/models/shapes-${family}`] = process.argv.slice(2);
if (!Object.hasOwn(CARDS, family)) throw new Error(`usage: tsx training/card.ts <${Object.keys(CARDS).join('|')}> [DIR]`);
const path = join(dir, 'README.md');
writeFileSync(path, CARDS[family](new ModelFolder(dir)));
console.log(`wrote ${path}`);
