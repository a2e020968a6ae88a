// The `download` command. On a standalone page it names an address on the page's own server (`url`), which the
// browser fetches into its download manager. Over a comm, the file comes in chunks: collect them as Blob parts,
// acknowledge each one, and save the file when the last arrives.
import type { Context, Handler } from './types';

interface Pending {
  parts: Blob[];
  received: number;
}

const pendingByContext = new WeakMap<Context, Map<string, Pending>>();

export const download: Handler = (context, command) => {
  const { download_id: id, name, size, offset, last, chunk, url } = command.spec ?? {};
  if (typeof url === 'string') {
    save(new URL(url, document.baseURI).href, String(name));
    return;
  }
  let pending = pendingByContext.get(context);
  if (!pending) {
    pending = new Map();
    pendingByContext.set(context, pending);
  }
  const state = pending.get(id) ?? { parts: [], received: 0 };
  pending.set(id, state);
  // Views of the received frame, which is a plain ArrayBuffer (never shared memory).
  const bytes = (chunk instanceof DataView ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    : new Uint8Array(0)) as Uint8Array<ArrayBuffer>;
  if (offset === state.received) {
    state.parts.push(new Blob([bytes])); // the Blob copies: the frame's memory can go
    state.received += bytes.byteLength;
  } else if (offset > state.received) {
    console.error(`[jupyter_session] download ${name}: chunk at ${offset} but only ${state.received} bytes so far`);
    return;
  } // a chunk sent again after a reconnect: acknowledge it, keep the first copy
  context.send({ event: 'download_ack', task_id: id, data: { offset, length: bytes.byteLength } });
  if (!last || offset + bytes.byteLength !== state.received) {
    return;
  }
  pending.delete(id);
  if (state.received !== size) {
    console.error(`[jupyter_session] download ${name}: got ${state.received} of ${size} bytes`);
    return;
  }
  const blobUrl = URL.createObjectURL(new Blob(state.parts, { type: 'application/octet-stream' }));
  save(blobUrl, String(name));
  setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000); // the browser may still be reading it
};

function save(href: string, name: string): void {
  const link = document.createElement('a');
  link.href = href;
  link.download = name;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
}
