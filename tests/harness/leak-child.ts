// Starts a cluster, prints where, and waits to be killed: the leaked cluster of
// tests/integration/harness/sweep.test.ts (a suite killed before its teardown).
import { startPostgres } from './postgres.js';

const cluster = await startPostgres();
process.stdout.write(`${JSON.stringify({ dataDir: cluster.dataDir, port: cluster.port })}\n`);
setInterval(() => undefined, 60_000);
