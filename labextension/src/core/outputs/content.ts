// Content and layout outputs: code, links, message boxes, tables, rows/columns/grids, collapsible sections,
// scrollable boxes and spinners. Every text goes in with textContent; nested outputs render recursively.
import { colorOr } from '../dom';
import { highlight } from '../highlight';
import { registerOutputType, renderOutput } from '../output';
import type { Context } from '../types';

const SAFE_LINK = /^(https?:|mailto:|[^:]*$)/i; // http(s), mailto, or no scheme at all (relative)

function make<K extends keyof HTMLElementTagNameMap>(tag: K, className: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  return node;
}

function appendAll(parent: HTMLElement, specs: unknown, context: Context): HTMLElement {
  for (const spec of Array.isArray(specs) ? specs : []) {
    parent.appendChild(renderOutput(spec, context));
  }
  return parent;
}

registerOutputType('code', spec => {
  const pre = make('pre', 'jps-code');
  const code = document.createElement('code');
  code.textContent = String(spec.content ?? '');
  if (spec.language) {
    code.dataset.language = String(spec.language);
    code.className = `language-${String(spec.language).replace(/[^\w-]/g, '')}`; // Prism's theme styles it
    highlight(code, String(spec.language));
  }
  if (typeof spec.rows === 'number' && spec.rows > 0) {
    pre.style.maxHeight = `${spec.rows * 1.45 + 1}em`;
  }
  pre.appendChild(code);
  return pre;
});

registerOutputType('link', spec => {
  const link = make('a', 'jps-link');
  link.textContent = String(spec.name ?? '');
  const href = String(spec.href ?? '');
  if (SAFE_LINK.test(href.trim())) {
    link.href = href;
    if (spec.new_window) {
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
    }
  }
  return link;
});

registerOutputType('alert', (spec, context) => {
  const color = colorOr(spec.color, 'info');
  const box = make('div', `jps-alert jps-alert--${color} alert alert-${color}${spec.closable ? ' alert-dismissible' : ''}`);
  box.setAttribute('role', 'alert');
  appendAll(box, spec.contents, context);
  if (spec.closable) {
    const close = make('button', 'jps-alert-close close');
    close.type = 'button';
    close.setAttribute('aria-label', 'Close');
    close.textContent = '×';
    close.addEventListener('click', () => box.remove());
    box.appendChild(close);
  }
  return box;
});

function tableCell(tag: 'td' | 'th', cell: any, context: Context): HTMLTableCellElement {
  const node = document.createElement(tag);
  if (Number(cell?.row) > 1) {
    node.rowSpan = Number(cell.row);
  }
  if (Number(cell?.col) > 1) {
    node.colSpan = Number(cell.col);
  }
  if (cell?.content) {
    node.appendChild(renderOutput(cell.content, context));
  }
  return node;
}

// As in PyWebIO, the first row is the header, in the same body as the rest so a header cell can span rows.
registerOutputType('table', (spec, context) => {
  const wrapper = make('div', 'jps-table-wrapper');
  const table = make('table', 'jps-table');
  const body = table.createTBody();
  (Array.isArray(spec.rows) ? spec.rows : []).forEach((cells: unknown, index: number) => {
    const row = body.insertRow();
    for (const cell of Array.isArray(cells) ? cells : []) {
      row.appendChild(tableCell(index === 0 ? 'th' : 'td', cell, context));
    }
  });
  wrapper.appendChild(table);
  return wrapper;
});

registerOutputType('flex', (spec, context) => {
  const box = make('div', `jps-flex jps-flex--${spec.direction === 'column' ? 'column' : 'row'}`);
  const template = typeof spec.size === 'string' ? spec.size : '';
  if (spec.direction === 'column') {
    box.style.gridTemplateRows = template;
  } else {
    box.style.gridTemplateColumns = template;
  }
  for (const item of Array.isArray(spec.contents) ? spec.contents : []) {
    box.appendChild(item ? renderOutput(item, context) : make('div', 'jps-gap'));
  }
  return box;
});

registerOutputType('grid', (spec, context) => {
  const grid = make('div', 'jps-grid');
  grid.style.gridAutoFlow = spec.flow === 'column' ? 'column' : 'row';
  grid.style.gridTemplateColumns = String(spec.columns ?? 'auto');
  grid.style.gridTemplateRows = String(spec.rows ?? 'auto');
  for (const line of Array.isArray(spec.contents) ? spec.contents : []) {
    for (const cell of Array.isArray(line) ? line : []) {
      const node = cell?.content ? renderOutput(cell.content, context) : make('div', 'jps-gap');
      if (Number(cell?.row) > 1) {
        node.style.gridRowStart = `span ${Number(cell.row)}`;
      }
      if (Number(cell?.col) > 1) {
        node.style.gridColumnStart = `span ${Number(cell.col)}`;
      }
      grid.appendChild(node);
    }
  }
  return grid;
});

registerOutputType('collapse', (spec, context) => {
  const details = make('details', 'jps-collapse');
  details.open = Boolean(spec.open);
  const summary = document.createElement('summary');
  summary.textContent = String(spec.title ?? '');
  details.appendChild(summary);
  const body = appendAll(make('div', 'jps-collapse-body'), spec.contents, context);
  body.dataset.jpsContainer = '';
  details.appendChild(body);
  return details;
});

registerOutputType('scrollable', (spec, context) => {
  const box = make('div', `jps-scrollable webio-scrollable${spec.border === false ? ''
    : ' jps-scrollable--border scrollable-border'}`);
  box.style.minHeight = `${Number(spec.min_height) || 0}px`;
  box.style.maxHeight = `${Number(spec.max_height) || 400}px`;
  appendAll(box, spec.contents, context);
  if (spec.keep_bottom) {
    const toBottom = () => { box.scrollTop = box.scrollHeight; };
    new MutationObserver(toBottom).observe(box, { childList: true, subtree: true });
    requestAnimationFrame(toBottom); // once it is in the page
  }
  return box;
});

registerOutputType('loading', spec => {
  const spinner = spinnerOf(spec);
  if (typeof spec.container_dom_id !== 'string') {
    return spinner;
  }
  const box = make('div', 'jps-loading-box'); // `with put_loading():` outputs go after the spinner
  box.append(spinner);
  return box;
});

function spinnerOf(spec: any): HTMLElement {
  const shape = spec.shape === 'grow' ? 'grow' : 'border';
  const color = colorOr(spec.color, 'dark');
  const spinner = make('div', `jps-loading jps-loading--${shape} spinner-${shape} text-${color}`);
  spinner.setAttribute('role', 'status');
  spinner.style.setProperty('--jps-loading-color', `var(--jps-color-${color})`);
  // Read by screen readers, as on PyWebIO's page, and hidden from sight by `.sr-only`.
  spinner.appendChild(make('span', 'sr-only')).textContent = 'Loading...';
  return spinner;
}
