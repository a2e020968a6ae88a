// `put_datatable`: a scrolling table with sticky headers whose rows can be selected, sorted (a click on a
// header: ascending, descending, the app's order) and filtered (rows holding the typed text), action buttons
// over the selection, and a bar showing the clicked cell in full. Tables with an `instance_id` are kept page-wide, so
// `datatable_update/insert/remove` reach them from any cell. Every cell is text.
import { registerOutputType } from '../output';
import type { Context, Handler } from '../types';

type RowId = string | number;

interface Row {
  id: RowId;
  cells: Record<string, unknown>;
}

interface Table {
  element: HTMLElement;
  replace(rows: Row[]): void;
  update(id: RowId, cells: Record<string, unknown>): void;
  insert(rows: Row[], before: RowId | null): void;
  remove(ids: RowId[]): void;
}

const tables = new Map<string, Table>();

function make<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: unknown): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  node.className = className;
  if (text !== undefined) {
    node.textContent = text === null ? '' : String(text);
  }
  return node;
}

function shown(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }); // "9" before "10"
const SORT_STATES = ['none', 'ascending', 'descending'] as const;

registerOutputType('datatable', (spec, context: Context) => {
  const columns: any[] = (Array.isArray(spec.columns) ? spec.columns : []).filter((column: any) => !column.hide);
  const multiple = Boolean(spec.multiple_select);
  const element = make('div', 'jps-datatable');
  const actions = make('div', 'jps-buttons jps-datatable-actions');
  const box = make('div', 'jps-datatable-box');
  if (spec.height !== 'auto') {
    // The asked height is the box's height, as on PyWebIO's page; the notebook look (style.css) makes it the most
    // the box takes, so that a short table leaves no empty space in its cell. 'auto' fits the rows either way.
    box.style.setProperty('--jps-datatable-height', String(spec.height ?? '600px'));
    box.style.height = 'var(--jps-datatable-box-height, var(--jps-datatable-height))';
  }
  const table = make('table', 'jps-table jps-datatable-table');
  const head = table.createTHead().insertRow();
  const body = table.createTBody();
  box.appendChild(table);
  const bar = make('div', 'jps-datatable-cell');
  const rows = new Map<string, { row: Row; tr: HTMLTableRowElement }>();
  const order: string[] = []; // row keys in the app's order
  const selected = new Set<string>();
  let sortField: string | null = null;
  let descending = false;
  let query = '';

  // Show the rows that hold the filter text, in the chosen order.
  const arrange = () => {
    let keys = query ? order.filter(key => rows.get(key)!.tr.textContent!.toLowerCase().includes(query)) : order;
    if (sortField !== null) {
      const field = sortField;
      const sign = descending ? -1 : 1;
      keys = [...keys].sort((a, b) =>
        sign * collator.compare(shown(rows.get(a)!.row.cells[field]), shown(rows.get(b)!.row.cells[field])));
    }
    body.replaceChildren(...keys.map(key => rows.get(key)!.tr));
  };

  if (multiple) {
    head.appendChild(make('th', 'jps-datatable-check'));
  }
  const headers: HTMLTableCellElement[] = [];
  for (const column of columns) {
    const th = make('th', '');
    th.setAttribute('aria-sort', 'none');
    const sort = make('button', 'jps-datatable-sort', column.header);
    sort.type = 'button';
    sort.addEventListener('click', () => {
      const state = SORT_STATES[(SORT_STATES.indexOf(th.getAttribute('aria-sort') as any) + 1) % 3];
      headers.forEach(other => other.setAttribute('aria-sort', 'none'));
      th.setAttribute('aria-sort', state);
      sortField = state === 'none' ? null : String(column.field);
      descending = state === 'descending';
      arrange();
    });
    th.appendChild(sort);
    if (typeof column.width === 'number') {
      th.style.width = `${column.width}px`;
    }
    headers.push(th);
    head.appendChild(th);
  }
  let nextIndex = 0;
  const buttons: HTMLButtonElement[] = [];

  const send = (data: Record<string, unknown>) => {
    if (typeof spec.callback_id === 'string') {
      context.send({ event: 'callback', task_id: spec.callback_id, data });
    }
  };
  const selectedIds = () => [...selected].map(key => rows.get(key)!.row.id);
  const showSelection = () => {
    for (const [key, { tr }] of rows) {
      tr.classList.toggle('jps-datatable-selected', selected.has(key));
      const check = tr.querySelector<HTMLInputElement>('input[type=checkbox]');
      if (check) {
        check.checked = selected.has(key);
      }
    }
    buttons.forEach(button => { button.disabled = selected.size === 0; });
  };
  const selectionChanged = () => {
    showSelection();
    if (spec.on_select && selected.size) {
      send({ rows: selectedIds() });
    }
  };

  const fill = (tr: HTMLTableRowElement, row: Row) => {
    tr.replaceChildren();
    const key = String(row.id);
    if (multiple) {
      const cell = make('td', 'jps-datatable-check');
      const check = make('input', '');
      check.type = 'checkbox';
      check.setAttribute('aria-label', `select row ${key}`);
      cell.appendChild(check);
      tr.appendChild(cell);
    }
    for (const column of columns) {
      tr.appendChild(make('td', '', shown(row.cells[column.field])));
    }
  };
  /** Make the row's element and register it; returns its key, or null for an id the table already has (the
   * app's order is the caller's to keep). */
  const build = (row: Row): string | null => {
    if (row.id === null || row.id === undefined) {
      row = { ...row, id: nextIndex };
    }
    if (typeof row.id === 'number') {
      nextIndex = Math.max(nextIndex, row.id + 1);
    }
    const key = String(row.id);
    if (rows.has(key)) {
      console.warn('[jupyter_session] datatable: a second row with id', row.id, 'is left out');
      return null;
    }
    const tr = document.createElement('tr');
    fill(tr, row);
    tr.addEventListener('click', event => {
      const target = event.target as HTMLElement;
      const cell = target.closest('td');
      if (cell && spec.cell_content_bar !== false && !cell.classList.contains('jps-datatable-check')) {
        bar.textContent = cell.textContent;
      }
      if (multiple) {
        selected.has(key) ? selected.delete(key) : selected.add(key);
      } else {
        selected.clear();
        selected.add(key);
      }
      selectionChanged();
    });
    rows.set(key, { row, tr });
    return key;
  };
  const built = (next: Row[]): string[] => next.map(build).filter((key): key is string => key !== null);
  const replace = (next: Row[]) => {
    rows.clear();
    selected.clear();
    nextIndex = 0;
    order.splice(0, order.length, ...built(next));
    arrange();
    showSelection();
  };

  const toolbar = make('div', 'jps-datatable-toolbar');
  const filter = make('input', 'jps-control jps-datatable-filter');
  filter.type = 'search';
  filter.placeholder = 'Filter rows';
  filter.setAttribute('aria-label', 'Filter rows');
  filter.addEventListener('input', () => {
    query = filter.value.trim().toLowerCase();
    arrange();
  });

  (Array.isArray(spec.actions) ? spec.actions : []).forEach((label: unknown, index: number) => {
    if (label === null) {
      actions.appendChild(make('span', 'jps-gap'));
      return;
    }
    const button = make('button', 'jps-button jps-button--primary jps-button--outline', label);
    button.type = 'button';
    button.disabled = true;
    button.addEventListener('click', () => send({ btn: index, rows: selectedIds() }));
    buttons.push(button);
    actions.appendChild(button);
  });
  toolbar.append(actions, filter);
  element.append(toolbar, box);
  if (spec.cell_content_bar !== false) {
    element.appendChild(bar);
  }
  replace(Array.isArray(spec.rows) ? spec.rows : []);

  if (typeof spec.instance_id === 'string' && spec.instance_id) {
    tables.set(spec.instance_id, {
      element,
      replace,
      update(id, cells) {
        const entry = rows.get(String(id));
        if (entry) {
          entry.row = { ...entry.row, cells: { ...entry.row.cells, ...cells } };
          fill(entry.tr, entry.row);
          arrange();
          showSelection();
        }
      },
      insert(next, before) {
        const at = before === null ? -1 : order.indexOf(String(before));
        order.splice(at < 0 ? order.length : at, 0, ...built(next));
        arrange();
      },
      remove(ids) {
        for (const id of ids) {
          const key = String(id);
          if (rows.delete(key)) {
            order.splice(order.indexOf(key), 1);
          }
          selected.delete(key);
        }
        arrange();
        showSelection();
      }
    });
  }
  return element;
});

/** `datatable_update/insert/remove`: change a table by its instance id. */
export const datatable: Handler = (_context, command) => {
  const spec = command.spec ?? {};
  const table = tables.get(String(spec.instance_id));
  if (!table || !table.element.isConnected) {
    console.warn('[jupyter_session] no datatable with instance_id', spec.instance_id);
    return;
  }
  const rows = Array.isArray(spec.rows) ? spec.rows : [];
  if (spec.op === 'replace') {
    table.replace(rows);
  } else if (spec.op === 'update' && spec.cells && typeof spec.cells === 'object') {
    table.update(spec.row_id, spec.cells);
  } else if (spec.op === 'insert') {
    table.insert(rows, spec.row_id ?? null);
  } else if (spec.op === 'remove' && Array.isArray(spec.row_ids)) {
    table.remove(spec.row_ids);
  }
};
