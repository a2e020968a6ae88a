// Clicks on elements that name a callback (`data-jps-callback`, with a JSON `data-jps-value`) become
// `callback` events. One listener per renderer, on its root.
import type { Context } from './types';

export function listenForClicks(context: Context): void {
  context.root.addEventListener('click', event => {
    const target = (event.target as Element | null)?.closest?.('[data-jps-callback]') as HTMLElement | null;
    if (!target || !context.root.contains(target) || (target as HTMLButtonElement).disabled) {
      return;
    }
    const callbackId = target.dataset.jpsCallback;
    if (!callbackId) {
      return;
    }
    let value: unknown = null;
    try {
      value = JSON.parse(target.dataset.jpsValue ?? 'null');
    } catch {
      return;
    }
    context.send({ event: 'callback', task_id: callbackId, data: value });
  });
}
