import { runProcess } from './runtime/process';

// `npm run start:worker`: the Temporal worker alone, against DATABASE_URL and TEMPORAL_ADDRESS.
void runProcess({ api: false, worker: true }, { embedded: false });
