// `put_buttons` / `put_button`: each button carries its callback id and index in data attributes, and one
// listener on the renderer's root sends the click (see `clicks.ts`), so buttons redrawn from a snapshot
// still work.
import { buttonClass, colorOr } from '../dom';
import { registerOutputType } from '../output';


registerOutputType('buttons', spec => {
  const element = document.createElement('div');
  element.className = 'jps-buttons' + (spec.group ? ' jps-buttons--group btn-group' : '');
  if (spec.group) {
    element.setAttribute('role', 'group');
  }
  const buttons: any[] = Array.isArray(spec.buttons) ? spec.buttons : [];
  buttons.forEach((button, index) => {
    const node = document.createElement('button');
    node.type = 'button';
    const color = colorOr(button?.color, 'primary');
    node.className = [buttonClass(color, { outline: spec.outline && !spec.link, link: spec.link }),
      spec.small ? 'jps-button--small btn-sm' : ''].filter(Boolean).join(' ');
    node.textContent = String(button?.label ?? '');
    node.disabled = Boolean(button?.disabled);
    node.dataset.jpsCallback = String(spec.callback_id ?? '');
    node.dataset.jpsValue = JSON.stringify(typeof button?.value === 'number' ? button.value : index);
    element.appendChild(node);
  });
  return element;
});
