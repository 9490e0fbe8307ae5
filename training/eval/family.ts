/**
 * What a family's evaluation gives the one eval entry (training/eval.ts): how to measure a model
 * folder, how to print the measures, and which file `--write` puts them in.
 */

/** The command line, parsed: `--model`, `--count`, and any flag the family declares. */
export interface EvalArguments {
  readonly modelDir: string;
  readonly count: number;
  /** The family's own flags, each with its default filled in. */
  readonly flags: Readonly<Record<string, string>>;
}

export interface EvalFamily<Report> {
  /** The family's own flags and their defaults, e.g. `{ clip: 'static/models/shapes-clip' }`. */
  readonly flags?: Readonly<Record<string, string>>;
  /** Rejects flag values the family cannot use, before any model loads. */
  check?(args: EvalArguments): void;
  evaluate(args: EvalArguments): Promise<Report>;
  /** The console table: a heading line, then one line per row. */
  lines(report: Report, args: EvalArguments): string[];
  /** The file `--write` writes in the model folder; eval.json unless said otherwise. */
  file?(args: EvalArguments): string;
}
