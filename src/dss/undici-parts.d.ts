// Types of the undici module the client loads directly (see pool.ts): undici ships types for its entry
// point only.

declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';

  const PoolClass: typeof Pool;
  export default PoolClass;
}

declare module 'undici/lib/core/connect.js' {
  import type { buildConnector } from 'undici';

  const build: typeof buildConnector;
  export default build;
}

declare module 'undici/lib/core/symbols.js' {
  const symbols: {
    /** The key of a pool's count of requests waiting for a connection. */
    kQueued: symbol;
  };
  export default symbols;
}
