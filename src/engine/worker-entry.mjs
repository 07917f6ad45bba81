// Worker thread bootstrap: registers tsx in this thread (loader hooks are per thread) and
// loads the TypeScript worker. Plain .mjs so Node can start it without a loader.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
