// `popup` / `close_popup`: one dialog per renderer, over the page. Its body is the `_popup_` scope, so
// outputs can be written into it later (`with popup(...)`).
import { renderOutput } from './output';
import type { Handler } from './types';

/** How a dialog shows and goes: this module's own, or Bootstrap's modal on the page (`usePopupDriver`). */
export interface PopupDriver {
  /** Show `dialog` (already in the page); `closable` by a click beside it and by Escape. */
  show(dialog: HTMLElement, closable: boolean): void;
  hide(dialog: HTMLElement): void;
}

const ownDriver: PopupDriver = {
  show(dialog, closable) {
    dialog.classList.add('show');
    if (closable) {
      dialog.addEventListener('click', event => {
        if (event.target === dialog) {
          dialog.remove();
        }
      });
      dialog.addEventListener('keydown', event => {
        if (event.key === 'Escape') {
          dialog.remove();
        }
      });
    }
    dialog.tabIndex = -1;
    dialog.focus();
  },
  hide: dialog => dialog.remove()
};
let driver = ownDriver;

/**
 * Show dialogs with `popupDriver` (the standalone page gives Bootstrap's modal, as PyWebIO's page, so apps'
 * `$('.modal').modal('hide')` works); it must remove a dialog once hidden.
 */
export function usePopupDriver(popupDriver: PopupDriver | undefined): void {
  driver = popupDriver ?? ownDriver;
}

function current(root: HTMLElement): HTMLElement | null {
  return root.querySelector<HTMLElement>('.jps-popup-backdrop');
}

export const popup: Handler = (context, command) => {
  const spec = command.spec ?? {};
  current(context.root)?.remove(); // at once, not through the driver: the new one replaces it
  const backdrop = document.createElement('div');
  // Bootstrap's modal classes, as on PyWebIO's page, beside this renderer's own.
  backdrop.className = 'jps-popup-backdrop modal';
  const size = ['large', 'small'].includes(spec.size) ? spec.size : 'normal';
  const dialog = document.createElement('div');
  const bootstrapSize = size === 'large' ? ' modal-lg' : size === 'small' ? ' modal-sm' : '';
  dialog.className = `jps-popup jps-popup--${size} modal-dialog${bootstrapSize}`;
  backdrop.setAttribute('role', 'dialog'); // on the outer element, as Bootstrap's modal puts it
  backdrop.setAttribute('aria-modal', 'true');
  const content = document.createElement('div');
  content.className = 'modal-content';
  const header = document.createElement('div');
  header.className = 'jps-popup-header modal-header';
  const title = document.createElement('h5');
  title.className = 'jps-popup-title modal-title';
  title.textContent = String(spec.title ?? '');
  header.appendChild(title);
  const close = () => driver.hide(backdrop);
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
  context.root.appendChild(backdrop);
  driver.show(backdrop, spec.implicit_close !== false);
};

export const closePopup: Handler = context => {
  const dialog = current(context.root);
  if (dialog) {
    driver.hide(dialog);
  }
};
