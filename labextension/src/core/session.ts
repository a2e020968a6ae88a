// Session-level commands: `close_session`, `set_session_id` and `toast`.
import type { Handler } from './types';

export const closeSession: Handler = (context, command) => {
  context.root.classList.add('jps-closed');
  // The server may say why (it is shutting down), and that deserves a line. An app that ended gets none on its
  // own page, as on PyWebIO's; under a notebook cell the line tells why its buttons do nothing more.
  const reason = typeof command.spec === 'string' && command.spec ? `: ${command.spec}` : '';
  if (reason || !context.ownsDocument) {
    const notice = document.createElement('div');
    notice.className = 'jps-notice';
    notice.textContent = `This session has ended${reason}.`;
    context.root.appendChild(notice);
  }
  context.root.dispatchEvent(new CustomEvent('jupyter-session:closed', { bubbles: true }));
};

export const setSessionId: Handler = (context, command) => {
  context.root.dispatchEvent(new CustomEvent('jupyter-session:session-id', { detail: String(command.spec),
    bubbles: true }));
};

export const toast: Handler = (context, command) => {
  const { content, duration = 2, position = 'center', color = 'info', onclick } = command.spec ?? {};
  let shelf = context.root.querySelector<HTMLElement>(`.jps-toasts[data-position="${position}"]`);
  if (!shelf) {
    shelf = document.createElement('div');
    shelf.className = 'jps-toasts';
    shelf.dataset.position = ['left', 'right', 'center'].includes(position) ? position : 'center';
    context.root.appendChild(shelf);
  }
  const item = document.createElement('div');
  const known = ['info', 'error', 'warn', 'success'].includes(color);
  // `toastify on`: the class names of PyWebIO's toasts, which apps select (`$('.toastify')`).
  item.className = `jps-toast jps-toast-${known ? color : 'custom'} toastify on`;
  if (!known) {
    item.style.background = String(color);
  }
  item.textContent = String(content ?? '');
  item.addEventListener('click', () => {
    if (onclick) {
      context.send({ event: 'callback', task_id: onclick, data: null });
    }
    item.remove();
  });
  if (!(duration > 0)) {
    // A toast that stays has a ✖, as PyWebIO's: closing it is not clicking it (no onclick).
    const close = document.createElement('button');
    close.type = 'button';
    close.className = 'jps-toast-close';
    close.setAttribute('aria-label', 'Close');
    close.textContent = '✖';
    close.addEventListener('click', event => {
      event.stopPropagation();
      item.remove();
    });
    item.appendChild(close);
  }
  shelf.prepend(item); // the newest first, as PyWebIO's (Toastify's): apps pick `$('.toastify').eq(0)`
  if (duration > 0) {
    setTimeout(() => item.remove(), duration * 1000);
  }
};
