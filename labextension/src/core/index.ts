export { render, registerCommand, renderSaved } from './render';
export { registerOutputType } from './output';
export { helloEvent } from './hello';
export type { Command, Context, Event, Handler, Model, RenderProps } from './types';
