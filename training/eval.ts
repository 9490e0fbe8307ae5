/**
 * Held-out evaluation of any forge model through the playground's own path: scenes from the
 * TypeScript generator (seeds the training data never used), drawn at several sizes, shrunk by
 * the app's downscaler, preprocessed by transformers.js, run by transformers.js or
 * onnxruntime-node. What each family measures is in training/eval/<family>.ts.
 *
 *   tsx training/eval.ts clip    --model static/models/shapes-clip [--count 500] [--dtype q8] [--write]
 *   tsx training/eval.ts siglip  --model static/models/shapes-siglip [--clip static/models/shapes-clip] [--write]
 *   tsx training/eval.ts llip    --model static/models/shapes-llip [--clip static/models/shapes-clip] [--write]
 *   tsx training/eval.ts coca    --model static/models/shapes-coca [--write]
 *   tsx training/eval.ts maskvlm --model static/models/shapes-maskvlm [--write]
 *   tsx training/eval.ts smolvlm --model static/models/shapes-smolvlm [--stage1 static/models/shapes-smolvlm-stage1] [--count 60] [--write]
 *
 * `--model` defaults to static/models/shapes-<family>; `--write` writes the report to the model
 * folder (eval.json; eval-q8.json for CLIP's q8 towers), where the card writer reads it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { flag } from './arguments.ts';
import type { EvalArguments, EvalFamily } from './eval/family.ts';
import { clip } from './eval/clip.ts';
import { siglip } from './eval/siglip.ts';
import { llip } from './eval/llip.ts';
import { coca } from './eval/coca.ts';
import { maskvlm } from './eval/maskvlm.ts';
import { vq } from './eval/vq.ts';
import { cm3 } from './eval/cm3.ts';
import { smolvlm } from './eval/smolvlm.ts';

const FAMILIES = { clip, siglip, llip, coca, maskvlm, smolvlm, vq, cm3 };

/** Evaluates, prints the table and, with `--write`, writes the report. */
async function run<Report>(name: string, family: EvalFamily<Report>, argv: readonly string[]): Promise<void> {
  const args: EvalArguments = {
    modelDir: flag(argv, 'model', `static/models/shapes-${name}`),
    count: Number(flag(argv, 'count', '500')),
    flags: Object.fromEntries(Object.entries(family.flags ?? {}).map(([key, fallback]) => [key, flag(argv, key, fallback)])),
  };
  family.check?.(args);
  const report = await family.evaluate(args);
  for (const line of family.lines(report, args)) console.log(line);
  if (argv.includes('--write')) writeFileSync(join(args.modelDir, family.file?.(args) ?? 'eval.json'), JSON.stringify(report, null, 1) + '\n');
}

const [name, ...argv] = process.argv.slice(2);
if (!Object.hasOwn(FAMILIES, name)) throw new Error(`usage: tsx training/eval.ts <${Object.keys(FAMILIES).join('|')}> [--model DIR] [--count N] [--write]`);
void run(name, FAMILIES[name as keyof typeof FAMILIES] as EvalFamily<unknown>, argv);
