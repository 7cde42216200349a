// oidc-provider ships its in-memory adapter without type declarations; the test broker uses it.
declare module 'oidc-provider/lib/adapters/memory_adapter.js' {
  import type { AdapterFactory } from 'oidc-provider';
  /** A store of the broker's own: the default adapter (and its start-up warning) is for quick starts. */
  export function createMemoryAdapter(clockTolerance?: number): AdapterFactory;
}
