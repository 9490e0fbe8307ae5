/**
 * The image-to-token explorer's state: the size (typed, read from the link, or an image's
 * real size), the knobs, the chosen row, the picture drawn under the tiles, and the table
 * recomputed from them on the main thread (it takes well under a millisecond; the time of the
 * last recompute is kept for the benchmark).
 */
import { ARCHITECTURES, budgetTable, checkSize, referenceKnobs, type TableRow } from '../../lib/budget/registry';
import { growthSeries, type GrowthSeries } from '../../lib/budget/report';
import type { Size } from '../../lib/budget/types';
import { inspectImage } from '../../lib/image/inspect';

/** Where the size came from: typed or linked (a blank image), an image of the shared inputs, an upload. */
export type SizeSource = { readonly kind: 'blank' } | { readonly kind: 'image'; readonly label: string };

export class BudgetExplorer {
  widthText = $state('1920');
  heightText = $state('1080');
  /** The size the rows are for: the last valid one (a bad entry leaves it as it was). */
  size = $state.raw<Size>({ width: 1920, height: 1080 });
  knobs = $state.raw<Record<string, number>>(referenceKnobs());
  selected = $state<string>('idefics3');
  source = $state.raw<SizeSource>({ kind: 'blank' });
  /** The picture under the tiles (null: a blank image). */
  picture = $state.raw<ImageBitmap | null>(null);
  /** A refused file or an unreadable image, said next to the upload. */
  fileMessage = $state<string | null>(null);

  readonly check = $derived(checkSize(this.widthText, this.heightText));
  readonly computed = $derived.by(() => {
    const started = performance.now();
    const rows: TableRow[] = budgetTable(this.size, this.knobs);
    return { rows, ms: performance.now() - started };
  });
  readonly growth = $derived.by((): { series: GrowthSeries; ms: number } => {
    const started = performance.now();
    const series = growthSeries(this.size, this.knobs);
    return { series, ms: performance.now() - started };
  });
  readonly row = $derived(this.computed.rows.find((r) => r.architecture.id === this.selected) ?? this.computed.rows[0]);

  /** Typed (or linked) width and height: applied when valid, otherwise only the message changes. */
  type(width: string, height: string): void {
    this.widthText = width;
    this.heightText = height;
    const check = checkSize(width, height);
    if (!check.ok) return;
    if (check.size.width !== this.size.width || check.size.height !== this.size.height) {
      this.size = check.size;
      this.source = { kind: 'blank' };
      this.setPicture(null);
    }
  }

  setKnob(id: string, value: number): void {
    this.knobs = { ...this.knobs, [id]: value };
  }

  resetKnobs(): void {
    this.knobs = referenceKnobs();
  }

  /** An image of known pixels (a sample or composed scene of the shared inputs). */
  async useImage(label: string, width: number, height: number, rgba: Uint8ClampedArray<ArrayBuffer>): Promise<void> {
    const picture = await createImageBitmap(new ImageData(rgba, width, height));
    this.adopt(label, { width, height }, picture);
  }

  /**
   * A file: its real size from its own header (before anything decodes it), then its pixels
   * for the drawing. A file that is not an image, is damaged or does not decode gets a message
   * and changes nothing.
   */
  async useFile(file: File): Promise<void> {
    this.fileMessage = null;
    const inspection = inspectImage(new Uint8Array(await file.arrayBuffer()));
    if (!inspection.ok) {
      this.fileMessage = `${file.name}: ${inspection.message}`;
      return;
    }
    let picture: ImageBitmap;
    try {
      picture = await createImageBitmap(file);
    } catch {
      this.fileMessage = `${file.name}: the browser could not decode this image.`;
      return;
    }
    const { width, height } = inspection.facts;
    const check = checkSize(width, height);
    if (!check.ok) {
      picture.close();
      this.fileMessage = `${file.name}: ${check.message}`;
      return;
    }
    this.adopt(file.name, check.size, picture);
  }

  private adopt(label: string, size: Size, picture: ImageBitmap): void {
    this.widthText = String(size.width);
    this.heightText = String(size.height);
    this.size = size;
    this.source = { kind: 'image', label };
    this.setPicture(picture);
  }

  private setPicture(picture: ImageBitmap | null): void {
    this.picture?.close();
    this.picture = picture;
  }

  /** Names of the rows by id, for CSV headers and chart labels. */
  static readonly names: Readonly<Record<string, string>> = Object.fromEntries(ARCHITECTURES.map((a) => [a.id, a.name]));
}
