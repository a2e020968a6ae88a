// `popup` / `close_popup`: one dialog per renderer, over the page. Its body is the `_popup_` scope, so
// outputs can be written into it later (`with popup(...)`).
import { renderOutput } from './output';
import type { Handler } from './types';

export const popup: Handler = (context, command) => {
  const spec = command.spec ?? {};
  context.root.querySelector('.jps-popup-backdrop')?.remove();
  const backdrop = document.createElement('div');
  // Bootstrap's modal classes, as on PyWebIO's page, beside this renderer's own.
  backdrop.className = 'jps-popup-backdrop modal show';
  const size = ['large', 'small'].includes(spec.size) ? spec.size : 'normal';
  const dialog = document.createElement('div');
  const bootstrapSize = size === 'large' ? ' modal-lg' : size === 'small' ? ' modal-sm' : '';
  dialog.className = `jps-popup jps-popup--${size} modal-dialog${bootstrapSize}`;
  dialog.setAttribute('role', 'dialog');
  dialog.setAttribute('aria-modal', 'true');
  const content = document.createElement('div');
  content.className = 'modal-content';
  const header = document.createElement('div');
  header.className = 'jps-popup-header modal-header';
  const title = document.createElement('h5');
  title.className = 'jps-popup-title modal-title';
  title.textContent = String(spec.title ?? '');
  header.appendChild(title);
  const close = () => backdrop.remove();
  if (spec.closable !== false) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'jps-popup-close close';
    button.setAttribute('aria-label', 'Close');
    button.textContent = '×';
    button.addEventListener('click', close);
    header.appendChild(button);
  }
  const body = document.createElement('div');
  body.className = 'jps-popup-body modal-body';
  if (typeof spec.dom_id === 'string') {
    body.id = spec.dom_id;
  }
  for (const item of Array.isArray(spec.contents) ? spec.contents : []) {
    body.appendChild(renderOutput(item, context));
  }
  content.append(header, body);
  dialog.appendChild(content);
  backdrop.appendChild(dialog);
  if (spec.implicit_close !== false) {
    backdrop.addEventListener('click', event => {
      if (event.target === backdrop) {
        close();
      }
    });
    backdrop.addEventListener('keydown', event => {
      if (event.key === 'Escape') {
        close();
      }
    });
  }
  backdrop.tabIndex = -1;
  context.root.appendChild(backdrop);
  backdrop.focus();
};

export const closePopup: Handler = context => {
  context.root.querySelector('.jps-popup-backdrop')?.remove();
};
