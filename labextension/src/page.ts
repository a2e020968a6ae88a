// What the standalone page's two transports (websocket.ts, http.ts) share: the exchange's address and the
// notice for a connection that is gone for good.

export type Listener = (message: unknown, buffers: DataView[]) => void;

/** `path` against the page's address, with the page's `?app=` (the server picks the app by it). */
export function appUrl(path: string): URL {
  const address = new URL(path, location.href);
  const app = new URLSearchParams(location.search).get('app');
  if (app) {
    address.searchParams.set('app', app);
  }
  return address;
}

/** Say that the page cannot go on (with the server's reason, when it gave one). */
export function showLost(host: HTMLElement, reason = ''): void {
  const notice = document.createElement('div');
  notice.className = 'jps-notice';
  notice.textContent = `Connection lost${reason ? ` (${reason})` : ''}. Reload the page to start again.`;
  host.appendChild(notice);
}
