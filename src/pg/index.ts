// Layer `pg`: PostgreSQL itself, as data and pure functions. Owns the server's configuration
// files (postgresql.conf with its includes and GUC checks, pg_hba.conf parsing and matching,
// pg_ident.conf user maps), libpq's options (connection strings and URIs, environment
// variables, defaults and validation, per version 13..17, the service and password files),
// the server model (SSL start-up, ClientAuthentication), the client model (initialize_SSL,
// the sslmode ladder), the TLS handshake between them, the wire protocol (message codecs,
// streaming readers, the SSLRequest exchange), the simulated file system, the exact message
// texts and log format both ends print, and `simulate`, which runs a whole psql connection
// with fixes. File and socket access stays outside: fs-node.ts adapts node:fs to SimFs.

export * from './fs.js';
export * from './log.js';
export * from './files.js';
export * from './messages.js';
export * from './i18n/mo.js';
export * from './i18n/translate.js';
export * from './server/startup.js';
export * from './server/connection.js';
export * from './client/libpq-ssl.js';
export * from './client/ladder.js';
export * from './tls-handshake.js';
export * from './fix.js';
export * from './simulate.js';
export type { SslMode } from './conninfo/resolve.js';

export * from './config/errors.js';
export * from './config/paths.js';
export * from './config/guc-table.js';
export * from './config/postgresql-conf.js';
export * from './config/server-settings.js';
export * from './config/inet.js';
export * from './config/hosts.js';
export * from './config/pg-regex.js';
export * from './config/auth-file.js';
export * from './config/hba-parse.js';
export * from './config/hba-match.js';
export * from './config/hba-hostname.js';
export * from './config/ident.js';

export * from './conninfo/errors.js';
export * from './conninfo/options.js';
export * from './conninfo/parse.js';
export * from './conninfo/resolve.js';
export * from './conninfo/format.js';
export * from './conninfo/passfile.js';

export * from './wire/protocol.js';
export * from './wire/backend.js';
export * from './wire/frontend.js';
export * from './wire/reader.js';
export * from './wire/ssl-negotiation.js';
