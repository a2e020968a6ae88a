// Session-level commands: `close_session`, `set_session_id` and `toast`.
import type { Handler } from './types';

export const closeSession: Handler = (context, command) => {
  context.root.classList.add('jps-closed');
  const notice = document.createElement('div');
  notice.className = 'jps-notice';
  // The server may say why (it is shutting down); PyWebIO's close_session carries nothing.
  const reason = typeof command.spec === 'string' && command.spec ? `: ${command.spec}` : '';
  notice.textContent = `This session has ended${reason}.`;
  context.root.appendChild(notice);
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
  item.className = `jps-toast jps-toast-${['info', 'error', 'warn', 'success'].includes(color) ? color : 'custom'}`;
  if (!item.className.endsWith(color)) {
    item.style.background = String(color);
  }
  item.textContent = String(content ?? '');
  item.addEventListener('click', () => {
    if (onclick) {
      context.send({ event: 'callback', task_id: onclick, data: null });
    }
    item.remove();
  });
  shelf.appendChild(item);
  if (duration > 0) {
    setTimeout(() => item.remove(), duration * 1000);
  }
};
