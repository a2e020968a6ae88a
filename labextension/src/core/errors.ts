// Errors as the session sees them: the `error` of a reply (JSErrorInfo), and `command_error`, the reply to
// a command the page does not know or whose handler failed (PROTOCOL.md, "Requests and replies").
import type { Event, JSErrorInfo } from './types';

export function describeError(error: unknown): JSErrorInfo {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack ?? '' };
  }
  return { name: 'Error', message: `a non-Error value was thrown: ${safeString(error)}`, stack: '' };
}

/** The `command_error` event answering `command` (any value: it may be malformed) with `error`. */
export function commandError(command: unknown, error: unknown): Event {
  const { command: name, task_id: taskId } = (command ?? {}) as { command?: unknown; task_id?: unknown };
  return {
    event: 'command_error',
    task_id: typeof taskId === 'string' ? taskId : null,
    data: { command: typeof name === 'string' ? name : null },
    error: describeError(error)
  };
}

function safeString(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
