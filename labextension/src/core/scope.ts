// The `output_ctl` command: create, clear, remove and scroll to scopes.
import { findScope, insertAt } from './dom';
import type { Handler } from './types';

const BLOCKS: Record<string, ScrollLogicalPosition> = { top: 'start', middle: 'center', bottom: 'end' };

export const outputControl: Handler = (context, command) => {
  const spec = command.spec ?? {};
  if (spec.set_scope !== undefined) {
    const id = String(spec.set_scope);
    const existing = findScope(context.root, `#${id}`);
    if (existing) {
      if (spec.if_exist === 'clear' || spec.if_exist === 'blank') {
        if (spec.if_exist === 'blank') {
          existing.style.minHeight = `${existing.offsetHeight}px`; // no jump while it refills
        }
        existing.replaceChildren();
        return;
      }
      if (spec.if_exist !== 'remove') {
        return;
      }
      existing.remove();
    }
    const container = findScope(context.root, spec.container);
    if (!container) {
      console.warn('[jupyter_session] set_scope in a scope that does not exist:', spec.container);
      return;
    }
    const scope = document.createElement('div');
    scope.id = id;
    scope.className = 'jps-scope';
    insertAt(container, scope, typeof spec.position === 'number' ? spec.position : -1);
    return;
  }
  const target = (key: string) => findScope(context.root, spec[key]);
  if (spec.clear !== undefined) {
    target('clear')?.replaceChildren();
  } else if (spec.remove !== undefined) {
    const scope = target('remove');
    if (scope && scope !== context.outputArea) {
      scope.remove();
    }
  } else if (spec.scroll_to !== undefined) {
    target('scroll_to')?.scrollIntoView({ block: BLOCKS[spec.position] ?? 'start', behavior: 'smooth' });
  } else if (spec.loose !== undefined) {
    const scope = target('loose');
    if (scope) {
      scope.style.minHeight = '';
    }
  } else {
    console.warn('[jupyter_session] unknown output_ctl', spec);
  }
};
