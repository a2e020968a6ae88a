// render({ model, el }): draw a session into `el` and answer it through `model`. Returns a cleanup.
import DOMPurify from 'dompurify';
import { putBuffers } from './buffers';
import { listenForClicks } from './clicks';
import { download } from './download';
import { findScope } from './dom';
import { setEnv } from './env';
import { output } from './output';
import './outputs/buttons';
import './outputs/content';
import { datatable } from './outputs/datatable';
import './outputs/template';
import { processbar } from './outputs/media';
import { pinOnChange, pinUpdate, pinValue, pinValues, pinWait } from './pin';
import { closePopup, popup } from './popup';
import { destroyForm, inputGroup, updateInput } from './input/form';
import { inputPanel } from './input/panel';
import { fileAck } from './input/uploads';
import { outputControl } from './scope';
import { runScript } from './script';
import { closeSession, setSessionId, toast } from './session';
import { commandError } from './errors';
import type { Command, Context, Event, Handler, InputPanel, RenderProps } from './types';

const handlers: Record<string, Handler> = {
  output,
  output_ctl: outputControl,
  run_script: runScript,
  download,
  set_env: setEnv,
  close_session: closeSession,
  set_session_id: setSessionId,
  toast,
  input_group: inputGroup,
  update_input: updateInput,
  destroy_form: destroyForm,
  popup,
  close_popup: closePopup,
  processbar,
  datatable,
  pin_value: pinValue,
  pin_values: pinValues,
  pin_update: pinUpdate,
  pin_wait: pinWait,
  pin_onchange: pinOnChange,
  file_ack: fileAck
};

/** Add handlers for more commands (inputs, popups, pins) without touching the core. */
export function registerCommand(name: string, handler: Handler): void {
  handlers[name] = handler;
}

/** PyWebIO's page structure and class names, which apps' own CSS targets (`.pywebio`, `.markdown-body`), in a
 * notebook too; its element ids only on a page of the renderer's own. `snapshot` is drawn sanitized. */
function frame(ownsDocument: boolean, snapshot?: string) {
  const root = document.createElement('div');
  root.className = ownsDocument ? 'jps-root jps-page pywebio' : 'jps-root pywebio';
  const outputArea = document.createElement('div');
  outputArea.id = 'pywebio-scope-ROOT';
  outputArea.className = 'jps-output';
  if (snapshot) {
    outputArea.innerHTML = DOMPurify.sanitize(snapshot);
  }
  const markdownBody = document.createElement('div');
  markdownBody.className = 'markdown-body';
  markdownBody.appendChild(outputArea);
  return { root, markdownBody, outputArea };
}

/** Draw an output as it was saved, with no session behind it: it looks as it did, and nothing in it reacts. */
export function renderSaved(el: HTMLElement, snapshot: string): () => void {
  const { root, markdownBody } = frame(false, snapshot);
  root.appendChild(markdownBody);
  root.inert = true;
  root.classList.add('jps-saved');
  el.appendChild(root);
  return () => root.remove();
}

export function render({ model, el, ownsDocument = false, snapshot }: RenderProps): () => void {
  const { root, markdownBody, outputArea } = frame(ownsDocument, snapshot);
  const env: Record<string, unknown> = {};
  let panel: InputPanel | undefined;
  if (ownsDocument) {
    markdownBody.id = 'markdown-body';
    const container = document.createElement('div');
    container.className = 'container';
    container.id = 'output-container';
    container.appendChild(markdownBody);
    root.appendChild(container);
    // PyWebIO's page has its forms in a panel at the bottom of the window; a notebook cell has them in its flow.
    panel = inputPanel(root, container, env);
  } else {
    root.appendChild(markdownBody);
  }
  el.appendChild(root);

  let closed = false;
  const running = new Set<Running>();
  const context: Context = {
    root,
    outputArea,
    ownsDocument,
    env,
    send(event: Event, buffers?: (ArrayBuffer | ArrayBufferView)[]) {
      if (event.event === 'js_yield' && event.task_id !== null) {
        running.forEach(run => { run.answered ||= run.taskId === event.task_id; });
      }
      // After close_session the app is gone, but a download it started still needs its acknowledgements.
      if (!closed || event.event === 'download_ack') {
        model.send(event, buffers);
      }
    },
    scope: selector => findScope(root, selector),
    inputPanel: panel
  };
  listenForClicks(context);

  const onMessage = (message: unknown, buffers: DataView[]) => {
    let commands: Command[];
    try {
      const envelope = message as { commands?: Command[]; buffer_paths?: (string | number)[][] };
      putBuffers(envelope, envelope.buffer_paths, buffers ?? []);
      commands = Array.isArray(envelope.commands) ? envelope.commands : [];
    } catch (error) {
      console.error('[jupyter_session] dropped a malformed message', error);
      return;
    }
    for (const command of commands) {
      dispatch(context, command, running);
      if (command?.command === 'close_session') {
        closed = true;
      }
    }
  };
  // No hello here: the host sends it once (helloEvent), and a view drawn again must not repeat it.
  model.on('msg', onMessage);

  return () => {
    closed = true;
    model.off?.('msg', onMessage);
    panel?.dispose();
    root.remove();
  };
}

/** Handlers running now, with whether each has sent a `js_yield` for its command's task (its own reply). */
interface Running {
  taskId: string | null;
  answered: boolean;
}

/**
 * Run the handler of `command`. Every failure gets one reply, `command_error`: an unknown command (the page's
 * renderer is older or newer than the session) and a handler that throws or whose promise rejects, unless
 * it already answered its request with a `js_yield` of its own (run_script with `eval` answers its errors so).
 */
function dispatch(context: Context, command: Command, running: Set<Running>): void {
  const name: unknown = command?.command;
  const handler = typeof name === 'string' && Object.prototype.hasOwnProperty.call(handlers, name)
    ? handlers[name] : undefined;
  if (!handler) {
    console.warn('[jupyter_session] unknown command', name);
    const shown = typeof name === 'string' ? JSON.stringify(name) : String(name);
    reply(context, command, new TypeError(`unknown command ${shown}: the page's renderer does not match the `
      + "server's jupyter_session version; reload the page"));
    return;
  }
  const run: Running = { taskId: typeof command.task_id === 'string' ? command.task_id : null, answered: false };
  const failed = (error: unknown) => {
    console.error(`[jupyter_session] ${name} failed`, error);
    if (!run.answered) {
      reply(context, command, error);
    }
  };
  running.add(run);
  let result: void | Promise<void>;
  try {
    result = handler(context, command);
  } catch (error) {
    running.delete(run);
    failed(error);
    return;
  }
  if (result instanceof Promise) {
    result.then(() => running.delete(run), error => {
      running.delete(run);
      failed(error);
    });
  } else {
    running.delete(run);
  }
}

function reply(context: Context, command: Command, error: unknown): void {
  try {
    context.send(commandError(command, error));
  } catch (sendError) {
    console.error('[jupyter_session] could not send command_error', sendError);
  }
}
