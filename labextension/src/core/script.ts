// The `run_script` command: run JavaScript with its arguments as parameters; with `eval`, answer once
// with the value (promises awaited) or with the error.
import { describeError } from './errors';
import type { Handler, JSErrorInfo } from './types';

// Arguments are function parameters, so their values are data and never become code. Their names are
// spliced into the parameter list, so only plain identifiers pass (`{[alert(1)]: a}` would run as it destructures).
const CODE_PARAMETER = '__jupyter_session_code__';
const JS_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

// PyWebIO's page has jQuery as the globals `$` and `jQuery`, and apps' code uses them. The standalone page makes
// them globals too (standalone.ts, through `useJQuery`); a notebook's page is JupyterLab's, which must get no
// global, so there the code gets them as parameters. jQuery loads (a chunk of its own) only for code that names
// it, once; an app's own argument of either name wins.
const JQUERY_NAMES = ['$', 'jQuery'];
const NAMES_JQUERY = /\$|\bjQuery\b/;
let jQuery: unknown;
let loading: Promise<void> | undefined;

/** Give run_script code this jQuery instead of loading one (the page, which has it anyway). */
export function useJQuery(instance: unknown): void {
  jQuery = instance;
}

function loadJQuery(): Promise<void> {
  loading ??= import('jquery').then(module => { jQuery ??= module.default; }, error => {
    loading = undefined; // the next code that names it tries again
    console.error('[jupyter_session] could not load jQuery for run_js code; `$` is not defined in it', error);
  });
  return loading;
}

type Parameters = [string[], unknown[]];

/** The parameters and values `code` runs with: the arguments, and jQuery when the code may use it. A promise
 * only while jQuery loads: other code runs at once, as it always did, before the commands after it. */
function parameters(code: string, args: Record<string, unknown>): Parameters | Promise<Parameters> {
  const names = Object.keys(args);
  const values = names.map(name => args[name]);
  const missing = JQUERY_NAMES.filter(name => !names.includes(name));
  const withJQuery = (): Parameters => jQuery === undefined ? [names, values]
    : [[...names, ...missing], [...values, ...missing.map(() => jQuery)]];
  if (!missing.length || !(NAMES_JQUERY.test(code) || loading)) {
    return [names, values];
  }
  // Code that comes while jQuery loads waits too, so that run_js calls keep their order.
  return jQuery === undefined ? loadJQuery().then(withJQuery) : withJQuery();
}

export const runScript: Handler = async (context, command) => {
  const { code, args = {}, eval: evaluate = false } = command.spec ?? {};
  const unsafe = Object.keys(args).find(name => !JS_NAME.test(name));
  if (unsafe !== undefined) {
    const message = `argument name ${JSON.stringify(unsafe)} is not a JavaScript identifier`;
    console.error(`[jupyter_session] run_script refused: ${message}`);
    if (evaluate) {
      context.send({ event: 'js_yield', task_id: command.task_id, data: null,
        error: { name: 'TypeError', message, stack: '' } });
    }
    return;
  }
  const found = parameters(String(code), args);
  const [names, values] = found instanceof Promise ? await found : found;
  if (!evaluate) {
    try {
      await new Function(...names, String(code))(...values);
    } catch (error) {
      console.error('[jupyter_session] run_js failed:', error);
    }
    return;
  }
  let data: unknown = null;
  let error: JSErrorInfo | undefined;
  try {
    const value = await new Function(...names, CODE_PARAMETER, `return eval(${CODE_PARAMETER})`)(...values, code);
    data = toJSON(value);
  } catch (caught) {
    error = describeError(caught);
  }
  context.send(error ? { event: 'js_yield', task_id: command.task_id, data: null, error }
    : { event: 'js_yield', task_id: command.task_id, data });
};

function toJSON(value: unknown): unknown {
  if (value === undefined) {
    return null;
  }
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`eval_js: the value is not JSON-serializable: ${(error as Error).message}`);
  }
  return text === undefined ? null : JSON.parse(text);
}
