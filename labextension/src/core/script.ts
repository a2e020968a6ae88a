// The `run_script` command: run JavaScript with its arguments as parameters; with `eval`, answer once
// with the value (promises awaited) or with the error.
import type { Handler, JSErrorInfo } from './types';

// Arguments are function parameters, so their values are data and never become code.
const CODE_PARAMETER = '__jupyter_session_code__';

export const runScript: Handler = async (context, command) => {
  const { code, args = {}, eval: evaluate = false } = command.spec ?? {};
  const names = Object.keys(args);
  const values = names.map(name => args[name]);
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
    error = describe(caught);
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

function describe(error: unknown): JSErrorInfo {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack ?? '' };
  }
  return { name: 'Error', message: `a non-Error value was thrown: ${safeString(error)}`, stack: '' };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
