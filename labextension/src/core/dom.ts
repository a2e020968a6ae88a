// Placing elements: PyWebIO's positions, and the scope lookup that stays inside one renderer.

/** Insert `child` into `container` at a PyWebIO position: 0 first, -1 last, i before child i, -k k-th from the end. */
export function insertAt(container: HTMLElement, child: Node, position: number): void {
  const count = container.children.length;
  const index = position >= 0 ? position : Math.max(count + position + 1, 0);
  container.insertBefore(child, container.children[index] ?? null);
}

export function findScope(root: HTMLElement, selector: string): HTMLElement | null {
  if (typeof selector !== 'string' || !selector.startsWith('#')) {
    return null;
  }
  const id = selector.slice(1);
  // getElementById would search the whole document, where another renderer may use the same scope names.
  for (const element of root.querySelectorAll<HTMLElement>('[id]')) {
    if (element.id === id) {
      return element;
    }
  }
  return null;
}

export function applyStyle(element: HTMLElement, css: unknown): void {
  if (typeof css === 'string' && css) {
    element.style.cssText += `;${css}`;
  }
}

/** The colour names of buttons, message boxes and spinners (classes `jps-...--<color>`). */
const COLORS: ReadonlySet<string> = new Set(['primary', 'secondary', 'success', 'danger', 'warning', 'info',
  'light', 'dark']);

/**
 * The classes of a button: this renderer's (its notebook look) and Bootstrap's, as PyWebIO names them
 * (`btn btn-primary`, `btn-outline-*`, `btn-link`), which the page's look and apps' CSS use.
 */
export function buttonClass(color: string, { outline = false, link = false } = {}): string {
  if (link) {
    return `jps-button jps-button--${color} jps-button--link btn btn-link`;
  }
  return outline ? `jps-button jps-button--${color} jps-button--outline btn btn-outline-${color}`
    : `jps-button jps-button--${color} btn btn-${color}`;
}

/** `color` when it is one of COLORS, else `fallback`: a colour becomes part of a class name. */
export function colorOr(color: unknown, fallback: string): string {
  return typeof color === 'string' && COLORS.has(color) ? color : fallback;
}
