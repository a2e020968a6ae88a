// Syntax colouring of `put_code` and of markdown code blocks, as PyWebIO's page gave them (Prism). The code
// is tokenized and each token becomes a span whose text goes in with textContent: no HTML is made from it.
import Prism from 'prismjs';
import 'prismjs/components/prism-python';
import 'prismjs/components/prism-json';
import 'prismjs/components/prism-bash';
import 'prismjs/components/prism-sql';
import 'prismjs/components/prism-yaml';

// Prism colours every `language-*` element of the page on its own unless told not to; in JupyterLab that
// would reach into other extensions' output.
Prism.manual = true;

type Tokens = Array<string | Prism.Token>;

function append(parent: HTMLElement, content: string | Prism.Token | Tokens): void {
  if (typeof content === 'string') {
    parent.appendChild(document.createTextNode(content));
  } else if (Array.isArray(content)) {
    content.forEach(item => append(parent, item));
  } else {
    const span = document.createElement('span');
    const aliases = Array.isArray(content.alias) ? content.alias : content.alias ? [content.alias] : [];
    span.className = ['token', content.type, ...aliases].join(' ');
    append(span, content.content as string | Prism.Token | Tokens);
    parent.appendChild(span);
  }
}

/** Colour the text of `code` as `language`; a language Prism does not know stays plain. */
export function highlight(code: HTMLElement, language: string): void {
  const name = language.toLowerCase();
  // `languages` also holds Prism's helpers (`extend`, `insertBefore`...): only its own grammar objects count.
  const grammar = Object.prototype.hasOwnProperty.call(Prism.languages, name) ? Prism.languages[name] : undefined;
  if (typeof grammar !== 'object' || grammar === null) {
    return;
  }
  const text = code.textContent ?? '';
  code.textContent = '';
  append(code, Prism.tokenize(text, grammar));
}

/** Colour every `<code class="language-...">` under `root` (markdown's fenced blocks). */
export function highlightBlocks(root: HTMLElement): void {
  for (const code of root.querySelectorAll<HTMLElement>('pre > code[class*="language-"]')) {
    const language = /\blanguage-([\w-]+)/.exec(code.className)?.[1];
    if (language) {
      highlight(code, language);
    }
  }
}
