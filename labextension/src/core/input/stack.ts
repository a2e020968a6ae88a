// The open forms of one renderer, as PyWebIO's page keeps them: each task's forms newest last, the tasks in the
// order they last opened one. Only the top (the newest task's newest form) is shown; when it goes, the one under
// it comes back. Pure bookkeeping: form.ts shows and hides the elements.

export class FormStack<T> {
  // A Map keeps insertion order: the last key is the task that opened a form most recently.
  private readonly tasks = new Map<string, T[]>();

  /** The form on show, if any. */
  top(): T | undefined {
    const forms = [...this.tasks.values()].pop();
    return forms?.[forms.length - 1];
  }

  /** The newest form of `taskId` (the one its `update_input` means), shown or not. */
  of(taskId: string): T | undefined {
    const forms = this.tasks.get(taskId);
    return forms?.[forms.length - 1];
  }

  /** Open a form for `taskId`: it goes on top, over every other task's. */
  push(taskId: string, form: T): void {
    const forms = this.tasks.get(taskId) ?? [];
    this.tasks.delete(taskId);
    forms.push(form);
    this.tasks.set(taskId, forms);
  }

  /** Close the newest form of `taskId`; the task keeps its place among the others. */
  pop(taskId: string): T | undefined {
    const forms = this.tasks.get(taskId);
    const form = forms?.pop();
    if (forms && !forms.length) {
      this.tasks.delete(taskId);
    }
    return form;
  }

  all(): T[] {
    return [...this.tasks.values()].flat();
  }
}
