// `put_widget`: a mustache template (HTML, by the API's contract) filled with data whose items may be outputs.
// `{{& pywebio_output_parse}}` inside a section places the current item: an output spec renders as that
// output, anything else as inline text. `{{#uniqueid}}name{{/uniqueid}}` and `{{index}}` are PyWebIO's helpers.
import Mustache from 'mustache';

import { runScriptsWhenShown } from '../htmlscripts';
import { registerOutputType, renderOutput } from '../output';

let widgets = 0;

registerOutputType('custom_widget', (spec, context) => {
  const prefix = `jps-w${++widgets}-`;
  const slots: unknown[] = [];
  const ids = new Map<string, string>();
  let index = 0; // `{{index}}`: how many times it was used so far
  let unnamed = 0;
  const data = {
    ...(spec.data && typeof spec.data === 'object' ? spec.data : {}),
    pywebio_output_parse(this: unknown) {
      const item = this !== null && typeof this === 'object' && 'type' in this
        ? this
        : { type: 'text', content: String(this), inline: true };
      slots.push(item);
      return `<span data-jps-slot="${slots.length - 1}"></span>`;
    },
    uniqueid: () => (name: string) => {
      if (!name) {
        return `${prefix}${++unnamed}`; // named ids carry their name, so the two never meet
      }
      if (!ids.has(name)) {
        ids.set(name, `${prefix}${name.replace(/[^\w-]/g, '_')}`);
      }
      return ids.get(name)!;
    },
    index: () => ++index
  };
  const holder = document.createElement('div');
  holder.innerHTML = Mustache.render(String(spec.template ?? ''), data);
  for (const slot of holder.querySelectorAll<HTMLElement>('[data-jps-slot]')) {
    slot.replaceWith(renderOutput(slots[Number(slot.dataset.jpsSlot)], context));
  }
  const only = holder.firstElementChild;
  const alone = [...holder.childNodes].every(node => node === only || !node.textContent?.trim());
  // A template of one element is that element, so `.style()` and scopes apply to it.
  const widget = holder.childElementCount === 1 && alone && only instanceof HTMLElement ? only : holder;
  if (widget === holder) {
    holder.className = 'jps-widget';
  }
  runScriptsWhenShown(widget);
  return widget;
});
