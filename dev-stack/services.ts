/**
 * Embedded development services (Temporal dev server, Azurite, MailDev) as child processes with
 * readiness checks. Shared by `npm start` (scripts/start.ts) and the jest global setup, so both
 * run exactly the same binaries with the same flags. One module per service, over processes.ts
 * (spawning, stopping, ports); this index keeps one import for the scripts and tests that use them.
 */
export * from './processes';
export * from './temporal-dev-server';
export * from './azurite';
export * from './maildev';
