/**
 * Puts a query string and a lab's hash in the address bar without reloading, and tells the app
 * the hash changed: the router and the labs' link state follow `hashchange`, which
 * `history.pushState` does not fire by itself.
 */
export function openLink(search: string, hash: string, push: boolean): void {
  const oldURL = location.href;
  const target = `${location.pathname}${search}${hash.startsWith('#') || hash === '' ? hash : `#${hash}`}`;
  if (push) history.pushState(history.state, '', target);
  else history.replaceState(history.state, '', target);
  if (new URL(oldURL).hash !== location.hash) window.dispatchEvent(new HashChangeEvent('hashchange', { oldURL, newURL: location.href }));
}

/** The lab a link opens: `#llip?…` → 'llip'. */
export function labOf(link: string): string {
  return link.replace(/^#/, '').split('?')[0];
}
