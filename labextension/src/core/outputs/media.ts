// Images, files, tabs and progress bars. Image and file bytes arrive as binary buffers and are shown through
// object URLs.
import { registerOutputType, renderOutput } from '../output';
import type { Context, Handler } from '../types';

const IMAGE_TYPES: Record<string, string> = { jpg: 'jpeg', jpeg: 'jpeg', png: 'png', gif: 'gif', webp: 'webp',
  bmp: 'bmp', svg: 'svg+xml', ico: 'x-icon' };
const SAFE_SRC = /^(https?:|data:image\/|blob:|[^:]*$)/i;

function objectUrl(bytes: unknown, type: string): string | null {
  if (bytes instanceof DataView || bytes instanceof ArrayBuffer) {
    return URL.createObjectURL(new Blob([bytes as ArrayBuffer | DataView<ArrayBuffer>], { type }));
  }
  return null;
}

registerOutputType('image', spec => {
  const image = document.createElement('img');
  image.className = 'jps-image';
  const format = IMAGE_TYPES[String(spec.format ?? 'png').toLowerCase()] ?? 'png';
  const url = typeof spec.src === 'string' ? spec.src : objectUrl(spec.src, `image/${format}`);
  if (url && SAFE_SRC.test(url)) {
    image.src = url;
  }
  image.alt = image.title = String(spec.title ?? '');
  if (spec.width) {
    image.style.width = String(spec.width);
  }
  if (spec.height) {
    image.style.height = String(spec.height);
  }
  return image;
});

registerOutputType('file', spec => {
  const link = document.createElement('a');
  link.className = 'jps-link jps-file';
  link.textContent = String(spec.label ?? spec.name ?? 'file');
  const url = objectUrl(spec.content, 'application/octet-stream');
  if (url) {
    link.href = url;
    link.download = String(spec.name ?? 'download');
  }
  return link;
});

registerOutputType('tabs', (spec, context: Context) => {
  const box = document.createElement('div');
  box.className = 'jps-tabs webio-tabs';
  const bar = document.createElement('div');
  bar.className = 'jps-tab-bar';
  bar.setAttribute('role', 'tablist');
  box.appendChild(bar);
  const tabs: any[] = Array.isArray(spec.tabs) ? spec.tabs : [];
  const panels = tabs.map((tab, index) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'jps-tab';
    button.setAttribute('role', 'tab');
    button.textContent = String(tab?.title ?? '');
    const panel = document.createElement('div');
    panel.className = 'jps-tab-panel';
    panel.setAttribute('role', 'tabpanel');
    for (const item of Array.isArray(tab?.contents) ? tab.contents : []) {
      panel.appendChild(renderOutput(item, context));
    }
    button.addEventListener('click', () => select(index));
    bar.appendChild(button);
    box.appendChild(panel);
    return [button, panel] as const;
  });
  const select = (chosen: number) => panels.forEach(([button, panel], index) => {
    button.setAttribute('aria-selected', String(index === chosen));
    panel.hidden = index !== chosen;
  });
  select(0);
  return box;
});

function setBar(bar: HTMLElement, value: number, label: unknown): void {
  const percent = Math.min(Math.max(value, 0), 1) * 100;
  bar.style.width = `${percent}%`;
  bar.textContent = label === null || label === undefined ? `${percent.toFixed(1)}%` : String(label); // "60.0%"
  bar.setAttribute('aria-valuenow', String(value));
}

registerOutputType('processbar', spec => {
  const track = document.createElement('div');
  track.className = 'jps-progress progress';
  track.dataset.name = String(spec.name ?? '');
  track.dataset.autoClose = String(Boolean(spec.auto_close));
  const bar = document.createElement('div');
  bar.className = 'jps-progress-bar progress-bar bg-info progress-bar-striped progress-bar-animated';
  bar.setAttribute('role', 'progressbar');
  setBar(bar, Number(spec.value) || 0, spec.label);
  track.appendChild(bar);
  return track;
});

export const processbar: Handler = (context, command) => {
  const spec = command.spec ?? {};
  const value = Number(spec.value) || 0;
  for (const track of context.root.querySelectorAll<HTMLElement>('.jps-progress')) {
    if (track.dataset.name !== String(spec.name)) {
      continue;
    }
    const bar = track.querySelector<HTMLElement>('.jps-progress-bar');
    if (bar) {
      setBar(bar, value, spec.label);
    }
    if (value >= 1 && track.dataset.autoClose === 'true') {
      track.remove();
    }
  }
};
