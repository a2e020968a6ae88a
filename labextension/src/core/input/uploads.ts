// File uploads from file fields (a form's `file_upload`, a `put_file_upload` pin): the chosen files go as
// `file_chunk` events of at most 1 MiB, at most UPLOAD_WINDOW unacknowledged, each acknowledged by `file_ack`.
import type { Context, Handler } from '../types';
import type { Field } from './fields';

const UPLOAD_CHUNK = 1 << 20;
const UPLOAD_WINDOW = 4; // chunks in flight before the session acknowledges the first
const uploadAcks = new Map<string, (received: number) => void>();

function describeSize(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/** Send the files in acknowledged 1 MiB chunks; their descriptions, or null when one breaks a size limit. */
export async function uploadFiles(context: Context, taskId: string | null, field: Field, files: File[]): Promise<unknown[] | null> {
  const maxSize = Number(field.spec.max_size) || 0;
  const maxTotal = Number(field.spec.max_total_size) || 0;
  const tooBig = files.find(file => maxSize && file.size > maxSize);
  const total = files.reduce((sum, file) => sum + file.size, 0);
  if (tooBig || (maxTotal && total > maxTotal)) {
    field.set({ valid_status: false, invalid_feedback: tooBig
      ? `${tooBig.name} is ${describeSize(tooBig.size)}; files may be at most ${describeSize(maxSize)}.`
      : `The files add up to ${describeSize(total)}; at most ${describeSize(maxTotal)} in all.` });
    return null;
  }
  const described = [];
  for (const file of files) {
    const uploadId = `up-${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
    let acknowledged = 0;
    let wake: () => void = () => undefined;
    uploadAcks.set(uploadId, received => { acknowledged = received; wake(); });
    try {
      for (let offset = 0; offset < file.size || (offset === 0 && file.size === 0); offset += UPLOAD_CHUNK) {
        while (offset - acknowledged >= UPLOAD_WINDOW * UPLOAD_CHUNK) {
          await new Promise<void>(resolve => { wake = resolve; });
        }
        const chunk = await file.slice(offset, offset + UPLOAD_CHUNK).arrayBuffer();
        context.send({ event: 'file_chunk', task_id: taskId, data: { upload_id: uploadId, name: field.spec.name, offset,
          chunk: null }, buffer_paths: [['data', 'chunk']] } as any, [chunk]);
        if (file.size === 0) {
          break;
        }
      }
      while (acknowledged < file.size) {
        await new Promise<void>(resolve => { wake = resolve; });
      }
    } finally {
      uploadAcks.delete(uploadId);
    }
    // In seconds, as PyWebIO's page sends it (and its apps read it).
    described.push({ upload_id: uploadId, filename: file.name, size: file.size, mime_type: file.type,
      last_modified: file.lastModified / 1000 });
  }
  return described;
}

export const fileAck: Handler = (_context, command) => {
  const spec = command.spec ?? {};
  uploadAcks.get(String(spec.upload_id))?.(Number(spec.received) || 0);
};

