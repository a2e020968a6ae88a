// The `set_env` command. Every key is kept in `context.env` and as a data attribute on the root; the width
// is a CSS variable the styles read. The `input_panel_*` keys place the standalone page's input panel
// (input/panel.ts); in a notebook the forms follow the cell's outputs, and they change nothing.
import type { Handler } from './types';

const CSS_VARIABLES: Record<string, string> = {
  output_max_width: '--jps-output-max-width'
};

export const setEnv: Handler = (context, command) => {
  const spec = command.spec ?? {};
  for (const [key, value] of Object.entries(spec)) {
    context.env[key] = value;
    const attribute = key.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());
    context.root.dataset[attribute] = String(value);
    const variable = CSS_VARIABLES[key];
    if (variable) {
      context.root.style.setProperty(variable, typeof value === 'number' ? `${value}px` : String(value));
    }
  }
  if (typeof spec.title === 'string' && context.ownsDocument) {
    document.title = spec.title;
  }
  if (Object.keys(spec).some(key => key.startsWith('input_panel_'))) {
    context.inputPanel?.configured();
  }
  if ('output_animation' in spec) {
    context.root.classList.toggle('jps-no-animation', spec.output_animation === false);
  }
};
