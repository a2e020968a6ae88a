// The forms' stack (input/stack.ts): the newest task's newest form on top, as PyWebIO's page keeps them.
import { describe, expect, it } from 'vitest';
import { FormStack } from '../src/core/input/stack';

describe('FormStack', () => {
  it('shows the newest form; the one under it comes back as it goes', () => {
    const stack = new FormStack<string>();
    expect(stack.top()).toBeUndefined();
    stack.push('thread', 'thread form');
    stack.push('main', 'main form');
    expect(stack.top()).toBe('main form');
    expect(stack.of('thread')).toBe('thread form'); // update_input still reaches it
    expect(stack.pop('main')).toBe('main form');
    expect(stack.top()).toBe('thread form');
    expect(stack.pop('thread')).toBe('thread form');
    expect(stack.top()).toBeUndefined();
    expect(stack.pop('thread')).toBeUndefined();
  });

  it('a task that asks again goes on top, over the task that asked after it', () => {
    const stack = new FormStack<string>();
    stack.push('a', 'a1');
    stack.push('b', 'b1');
    stack.push('a', 'a2');
    expect(stack.top()).toBe('a2');
    expect(stack.all()).toEqual(['b1', 'a1', 'a2']);
    stack.pop('a');
    expect(stack.top()).toBe('a1'); // its task keeps its place until its last form goes
    stack.pop('a');
    expect(stack.top()).toBe('b1');
  });

  it('closing a form under the top leaves the top where it is', () => {
    const stack = new FormStack<string>();
    stack.push('a', 'a1');
    stack.push('b', 'b1');
    stack.pop('a');
    expect(stack.top()).toBe('b1');
    expect(stack.all()).toEqual(['b1']);
  });
});
