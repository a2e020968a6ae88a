// Binary buffers beside JSON (PROTOCOL.md): put them back where `buffer_paths` says, and pack or unpack
// the single-frame layout the standalone page uses over its WebSocket.

export function putBuffers(message: any, paths: (string | number)[][] | undefined, buffers: DataView[]): void {
  if (!paths) {
    return;
  }
  if (paths.length !== buffers.length) {
    throw new Error(`[jupyter_session] ${buffers.length} buffers for ${paths.length} buffer paths`);
  }
  paths.forEach((path, index) => {
    let target = message;
    for (const key of path.slice(0, -1)) {
      target = target[key];
    }
    target[path[path.length - 1]] = buffers[index];
  });
}

/** `u32 n_parts`, `u32 offsets[n_parts]`, then the parts: JSON first, then the buffers (big-endian). */
export function encodeFrame(message: object, buffers: (ArrayBuffer | ArrayBufferView)[]): ArrayBuffer {
  const json = new TextEncoder().encode(JSON.stringify(message));
  const parts: Uint8Array[] = [json, ...buffers.map(asBytes)];
  const header = 4 * (1 + parts.length);
  const total = parts.reduce((size, part) => size + part.byteLength, header);
  const frame = new Uint8Array(total);
  const view = new DataView(frame.buffer);
  view.setUint32(0, parts.length);
  let offset = header;
  parts.forEach((part, index) => {
    view.setUint32(4 * (1 + index), offset);
    frame.set(part, offset);
    offset += part.byteLength;
  });
  return frame.buffer;
}

export function decodeFrame(frame: ArrayBuffer): { message: any; buffers: DataView[] } {
  const view = new DataView(frame);
  const count = view.getUint32(0);
  const offsets: number[] = [];
  for (let index = 0; index < count; index++) {
    offsets.push(view.getUint32(4 * (1 + index)));
  }
  offsets.push(frame.byteLength);
  const json = new TextDecoder().decode(new Uint8Array(frame, offsets[0], offsets[1] - offsets[0]));
  const buffers = offsets.slice(1, -1).map((start, index) => new DataView(frame, start, offsets[index + 2] - start));
  return { message: JSON.parse(json), buffers };
}

function asBytes(buffer: ArrayBuffer | ArrayBufferView): Uint8Array {
  return buffer instanceof ArrayBuffer
    ? new Uint8Array(buffer)
    : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
