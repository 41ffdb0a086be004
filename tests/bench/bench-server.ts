// `npm run bench:server`: the service benchmark (server.ts); with a mode (`-- --scale-out`, `--small`,
// `--delivery`, `--burst`, `--failover`, `--kill-instance`, `--all`) the scale-out benchmarks
// (server-scale.ts).
if (process.argv.slice(2).some((a) => a.startsWith('--'))) await import('./server-scale.js');
else await import('./server.js');
