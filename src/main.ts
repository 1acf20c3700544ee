import { runProcess } from './runtime/process';

// `npm start`: API and worker in one process, with embedded PostgreSQL and Temporal unless configured.
void runProcess({ api: true, worker: true }, { embedded: true });
