import { mount } from 'svelte';
import { RuntimeState } from './state/runtime.svelte';
import { linkedModel } from './lib/link/model';
import { findBundledModel } from './lib/registry/bundled';
import './app.css';

// The worker starts and the model downloads while the views are still being fetched and built:
// the Contrastive lab's runtime is made here, before the app mounts, and handed to it.
// A link to the Contrastive lab that names a bundled model starts that one (a hub model waits to be confirmed).
const linked = linkedModel(location.hash, 'contrastive');
const bundled = linked ? findBundledModel(linked.model) : undefined;
const runtime = new RuntimeState(bundled ? { id: bundled.id, origin: 'bundled' } : undefined);
const dtype = bundled && linked?.dtype && bundled.dtypes.includes(linked.dtype) ? linked.dtype : undefined;
void runtime.load(runtime.model, runtime.device, dtype ? { ...runtime.options, dtype } : runtime.options);
const { default: App } = await import('./App.svelte');
mount(App, { target: document.getElementById('app')!, props: { runtime } });
