import { runProcess } from './runtime/process';

// `npm run start:api`: the HTTP API alone, against DATABASE_URL and TEMPORAL_ADDRESS.
void runProcess({ api: true, worker: false }, { embedded: false });
