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
import { destroyForm, fileAck, inputGroup, updateInput } from './input/form';
import { outputControl } from './scope';
import { runScript } from './script';
import { closeSession, setSessionId, toast } from './session';
import { PROTOCOL_VERSION } from './types';
import type { Command, Context, Event, Handler, RenderProps } from './types';

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

export function render({ model, el, ownsDocument = false, snapshot }: RenderProps): () => void {
  const root = document.createElement('div');
  root.className = ownsDocument ? 'jps-root jps-page' : 'jps-root';
  const outputArea = document.createElement('div');
  outputArea.id = 'pywebio-scope-ROOT';
  outputArea.className = 'jps-output';
  if (snapshot) {
    outputArea.innerHTML = DOMPurify.sanitize(snapshot);
  }
  root.appendChild(outputArea);
  el.appendChild(root);

  let closed = false;
  const context: Context = {
    root,
    outputArea,
    ownsDocument,
    env: {},
    send(event: Event, buffers?: (ArrayBuffer | ArrayBufferView)[]) {
      // After close_session the app is gone, but a download it started still needs its acknowledgements.
      if (!closed || event.event === 'download_ack') {
        model.send(event, buffers);
      }
    },
    scope: selector => findScope(root, selector)
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
      dispatch(context, command);
      if (command.command === 'close_session') {
        closed = true;
      }
    }
  };
  model.on('msg', onMessage);
  model.send({
    event: 'hello',
    task_id: null,
    data: { protocol_version: PROTOCOL_VERSION, user_agent: navigator.userAgent, language: navigator.language,
      origin: location.origin }
  });

  return () => {
    closed = true;
    model.off?.('msg', onMessage);
    root.remove();
  };
}

function dispatch(context: Context, command: Command): void {
  const handler = handlers[command?.command];
  if (!handler) {
    console.warn('[jupyter_session] unknown command', command?.command);
    return;
  }
  try {
    const result = handler(context, command);
    if (result instanceof Promise) {
      result.catch(error => console.error(`[jupyter_session] ${command.command} failed`, error));
    }
  } catch (error) {
    console.error(`[jupyter_session] ${command.command} failed`, error);
  }
}
