// The handshake: the first event a host (the notebook widget's model, the standalone page) sends, once.
import { PROTOCOL_VERSION } from './types';
import type { Event } from './types';

/** The hello (PROTOCOL.md, "Handshake"). Typed by its literal, checked against Event, so that a host can pass
 * it where plain JSON is expected (ipywidgets' `model.send`). */
export function helloEvent() {
  return {
    event: 'hello',
    task_id: null,
    data: { protocol_version: PROTOCOL_VERSION, user_agent: navigator.userAgent, language: navigator.language,
      origin: location.origin }
  } satisfies Event;
}
