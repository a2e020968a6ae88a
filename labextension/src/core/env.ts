// The `set_env` command. Every key leaves a visible trace: a data attribute or a CSS variable on the root,
// which the input panel and the styles read.
import type { Handler } from './types';

const CSS_VARIABLES: Record<string, string> = {
  output_max_width: '--jps-output-max-width',
  input_panel_min_height: '--jps-input-panel-min-height',
  input_panel_init_height: '--jps-input-panel-init-height'
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
  if ('output_animation' in spec) {
    context.root.classList.toggle('jps-no-animation', spec.output_animation === false);
  }
};
