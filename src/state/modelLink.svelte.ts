/**
 * A runtime's model and precision in a link (`model=shapes-siglip&dtype=fp32`). A bundled model
 * a link names loads at once; a hub model is offered first, with its size when the registry
 * knows it, since it downloads (the link keeps naming it until the person decides).
 */
import { isRepoId } from '../lib/registry/hub-models';
import type { Dtype, ModelSource } from '../lib/runtime/protocol';
import { quote } from '../lib/link/fields';
import type { RuntimeState } from './runtime.svelte';
import { link, type LinkOffer } from './link.svelte';

export interface ModelChoices {
  /** Bundled models this lab runs, with their precisions (the first the default). */
  readonly bundled: readonly { readonly id: string; readonly dtypes: readonly Dtype[] }[];
  /** A hub repo's pinned revision and download size at a precision, when the registry has it. */
  hub(id: string, dtype: Dtype | undefined): { revision?: string; bytes?: number | null; dtype: Dtype } | null;
  /** Formats a size for the offer. */
  formatBytes(bytes: number): string;
}

export class ModelLink {
  private offered = $state.raw<{ model: ModelSource; dtype: Dtype; offer: LinkOffer; before: ModelSource } | null>(null);

  constructor(
    private readonly runtime: RuntimeState,
    private readonly choices: ModelChoices,
  ) {}

  /** The model and precision for the link: the one offered while the person has not decided, else the runtime's. */
  read(): { model: string; dtype?: Dtype } {
    // Until the person decides, or loads another model meanwhile.
    if (this.offered && this.runtime.model === this.offered.before) return { model: this.offered.model.id, dtype: this.offered.dtype };
    const model = this.runtime.model;
    const dtype = this.runtime.options.dtype ?? this.choices.bundled.find((b) => b.id === model.id)?.dtypes[0];
    return { model: model.id, ...(dtype ? { dtype } : {}) };
  }

  apply(state: { model?: string; dtype?: Dtype }, report: (message: string) => void): void {
    const id = state.model ?? this.runtime.model.id;
    const bundled = this.choices.bundled.find((b) => b.id === id);
    if (bundled) {
      const dtype = state.dtype && bundled.dtypes.includes(state.dtype) ? state.dtype : bundled.dtypes[0];
      if (state.dtype && dtype !== state.dtype) report(`dtype=${state.dtype}: ${id} ships in ${bundled.dtypes.join(', ')}; ${dtype} is used.`);
      this.withdraw();
      void this.runtime.load({ id, origin: 'bundled' }, this.runtime.device, { ...this.runtime.options, dtype });
      return;
    }
    if (!isRepoId(id) || !id.includes('/')) {
      report(`model=${quote(id)}: not a model this view runs; ${this.runtime.model.id} stays.`);
      return;
    }
    const hub = this.choices.hub(id, state.dtype);
    if (!hub) {
      report(`model=${quote(id)}: the precision ${state.dtype ?? '(none)'} is not one this model has; ${this.runtime.model.id} stays.`);
      return;
    }
    const model: ModelSource = { id, origin: 'hub', ...(hub.revision ? { revision: hub.revision } : {}) };
    this.withdraw();
    const size = hub.bytes ? ` (${this.choices.formatBytes(hub.bytes)})` : '';
    const offer: LinkOffer = {
      text: `This link uses ${id} at ${hub.dtype} from the Hugging Face hub${size}. It downloads only if you ask.`,
      action: 'Download it',
      accept: () => {
        this.withdraw();
        void this.runtime.load(model, this.runtime.device, { ...this.runtime.options, dtype: hub.dtype });
      },
      decline: () => this.withdraw(),
      stale: () => this.runtime.model !== before,
    };
    const before = this.runtime.model;
    this.offered = { model, dtype: hub.dtype, offer, before };
    link.offer(offer);
  }

  private withdraw(): void {
    if (this.offered) link.withdraw(this.offered.offer);
    this.offered = null;
  }
}
