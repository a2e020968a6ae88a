// The `run_script` command: run JavaScript with its arguments as parameters; with `eval`, answer once
// with the value (promises awaited) or with the error.
import { describeError } from './errors';
import type { Handler, JSErrorInfo } from './types';

// Arguments are function parameters, so their values are data and never become code. Their names are
// spliced into the parameter list, so only plain identifiers pass (`{[alert(1)]: a}` would run as it destructures).
const CODE_PARAMETER = '__jupyter_session_code__';
const JS_NAME = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export const runScript: Handler = async (context, command) => {
  const { code, args = {}, eval: evaluate = false } = command.spec ?? {};
  const names = Object.keys(args);
  const values = names.map(name => args[name]);
  const unsafe = names.find(name => !JS_NAME.test(name));
  if (unsafe !== undefined) {
    const message = `argument name ${JSON.stringify(unsafe)} is not a JavaScript identifier`;
    console.error(`[jupyter_session] run_script refused: ${message}`);
    if (evaluate) {
      context.send({ event: 'js_yield', task_id: command.task_id, data: null,
        error: { name: 'TypeError', message, stack: '' } });
    }
    return;
  }
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
