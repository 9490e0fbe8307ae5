import { mount } from 'svelte';
import { RuntimeState } from './state/runtime.svelte';
import './app.css';

// The worker starts and the model downloads while the views are still being fetched and built:
// the Contrastive lab's runtime is made here, before the app mounts, and handed to it.
const runtime = new RuntimeState();
void runtime.load();
const { default: App } = await import('./App.svelte');
mount(App, { target: document.getElementById('app')!, props: { runtime } });
