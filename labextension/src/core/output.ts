// The `output` command: text, HTML, markdown and scopes, placed into a scope at a position.
import DOMPurify from 'dompurify';
import { marked } from 'marked';

import { applyStyle, findScope, insertAt } from './dom';
import { highlightBlocks } from './highlight';
import { runScriptsWhenShown } from './htmlscripts';
import type { Context, Handler } from './types';

type Renderer = (spec: any, context: Context) => HTMLElement;

// What markdown's HTML loses besides DOMPurify's defaults (scripts, handlers): a <style> restyles the whole page
// (and its url()s load remote addresses), a <form> posts the fields in it elsewhere. Inline style attributes,
// common in markdown, stay. PyWebIO's put_markdown kept both; put_html, raw HTML by design, keeps them here too.
const MARKDOWN_PURIFY = { FORBID_TAGS: ['style', 'form'] };

const renderers: Record<string, Renderer> = {
  text: spec => {
    const element = document.createElement(spec.inline ? 'span' : 'p');
    element.className = 'jps-text';
    element.textContent = String(spec.content ?? '');
    return element;
  },
  html: spec => {
    const element = document.createElement('div');
    element.className = 'jps-html';
    const html = String(spec.content ?? '');
    element.innerHTML = spec.sanitize ? DOMPurify.sanitize(html) : html;
    if (!spec.sanitize) {
      runScriptsWhenShown(element);
    }
    return element;
  },
  markdown: spec => {
    const element = document.createElement('div');
    element.className = 'jps-markdown';
    // PyWebIO's defaults first (a single newline is a line break, GitHub's markdown), then the app's options;
    // `async: false` last, so no option can turn the result into a promise.
    const options = { breaks: true, gfm: true, ...(spec.options ?? {}), async: false };
    const html = marked.parse(String(spec.content ?? ''), options) as unknown;
    element.innerHTML = DOMPurify.sanitize(String(html), MARKDOWN_PURIFY); // markdown may carry raw HTML
    highlightBlocks(element);
    return element;
  },
  scope: (spec, context) => {
    const element = document.createElement('div');
    element.id = String(spec.dom_id);
    element.className = 'jps-scope';
    for (const child of spec.contents ?? []) {
      element.appendChild(renderOutput(child, context));
    }
    return element;
  }
};

/** Add renderers for more output types (tables, buttons...) without touching this module. */
export function registerOutputType(type: string, renderer: Renderer): void {
  renderers[type] = renderer;
}

export function renderOutput(spec: any, context: Context): HTMLElement {
  const render = renderers[spec?.type];
  let element: HTMLElement;
  if (render) {
    element = render(spec, context);
  } else {
    console.warn('[jupyter_session] unknown output type', spec?.type);
    element = document.createElement('div');
    element.className = 'jps-unsupported';
    element.textContent = `[unsupported output: ${String(spec?.type)}]`;
  }
  applyStyle(element, spec?.style);
  if (typeof spec?.container_dom_id === 'string') {
    // `with put_collapse(...):` outputs go into the part of the element marked as its container.
    const container = element.querySelector<HTMLElement>('[data-jps-container]') ?? element;
    container.id = spec.container_dom_id;
  }
  if (typeof spec?.click_callback_id === 'string') {
    element.dataset.jpsCallback = spec.click_callback_id; // clicked through the root's listener (clicks.ts)
    element.dataset.jpsValue = 'null';
    element.classList.add('jps-clickable');
  }
  return element;
}

// Outputs that come in a burst show at once: fading in thousands of lines costs frames and shows nothing.
const ANIMATED_PER_FRAME = 8;
let addedThisFrame = 0;
let frameScheduled = false;

function animateNext(): boolean {
  if (!frameScheduled) {
    frameScheduled = true;
    requestAnimationFrame(() => {
      addedThisFrame = 0;
      frameScheduled = false;
    });
  }
  addedThisFrame += 1;
  return addedThisFrame <= ANIMATED_PER_FRAME;
}

export const output: Handler = (context, command) => {
  const spec = command.spec;
  const container = findScope(context.root, spec.scope);
  if (!container) {
    console.warn('[jupyter_session] output to a scope that does not exist:', spec.scope);
    return;
  }
  const element = renderOutput(spec, context);
  if (context.env.output_animation !== false && animateNext()) {
    element.classList.add('jps-appear');
  }
  insertAt(container, element, typeof spec.position === 'number' ? spec.position : -1);
  if (context.env.auto_scroll_bottom === true && container === context.outputArea) {
    scrollToEnd(context);
  }
};

const scrollScheduled = new WeakSet<Context>();

/**
 * `auto_scroll_bottom`, as PyWebIO's page: output to the ROOT scope scrolls, smoothly, to the end of the page,
 * the form after the outputs included (of the renderer, in a notebook cell). Once a frame: a burst lays out once.
 */
function scrollToEnd(context: Context): void {
  if (scrollScheduled.has(context)) {
    return;
  }
  scrollScheduled.add(context);
  requestAnimationFrame(() => {
    scrollScheduled.delete(context);
    if (context.ownsDocument) {
      window.scrollTo({ top: document.documentElement.scrollHeight, behavior: 'smooth' });
    } else {
      context.root.scrollIntoView?.({ block: 'end', behavior: 'smooth' });
    }
  });
}
