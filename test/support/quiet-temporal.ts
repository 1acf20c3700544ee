import { DefaultLogger, Runtime } from '@temporalio/worker';

// Workers in tests log only warnings and errors; the bundler's and the worker's INFO lines drown the report.
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
