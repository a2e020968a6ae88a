// CodeMirror 5 ships no types; editor.ts, its one user, types what it calls as `any` at the call.
declare module 'codemirror';
