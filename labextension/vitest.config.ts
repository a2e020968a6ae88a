// Unit tests of the renderer core (test/*.test.ts) in a simulated DOM: jsdom, as DOMPurify supports it (it
// does not support happy-dom). Neither tsc (tsconfig.json includes src/ only) nor the bundles (their entries
// are in src/) see the tests.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'jsdom',
    include: ['test/**/*.test.ts'],
    restoreMocks: true
  }
});
