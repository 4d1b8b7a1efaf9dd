// The JSON Schema of `pgtls test` expectations files and inventories, as data. It is
// published as schema/pgtls-test.schema.json (test/conformance/schema.test.ts keeps the two
// equal) so editors complete and check the YAML, and the same object drives
// validate.ts, which reports a misspelled key with its line and column.

export type JsonSchema = {
  $schema?: string;
  $id?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  title?: string;
  description?: string;
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  required?: string[];
  items?: JsonSchema;
  enum?: (string | number | boolean)[];
  const?: string | number | boolean;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  minLength?: number;
  pattern?: string;
  anyOf?: JsonSchema[];
};

const SSLMODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];
const STAGES = [
  'server-start',
  'connect',
  'conninfo',
  'ssl-refused',
  'client-setup',
  'handshake',
  'alert-after-handshake',
  'client-cert-not-sent',
  'host-name',
  'server-error',
  'client-auth',
  'connection-check',
  'protocol',
];
const METHODS = [
  'trust',
  'reject',
  'scram-sha-256',
  'md5',
  'password',
  'gss',
  'sspi',
  'ident',
  'peer',
  'pam',
  'ldap',
  'radius',
  'cert',
  'bsd',
  'oauth',
];

const str = (description: string): JsonSchema => ({ type: 'string', description });
const strMap = (description: string): JsonSchema => ({ type: 'object', description, additionalProperties: { type: 'string' } });

const failsSchema: JsonSchema = {
  type: 'object',
  description: 'The connection must fail; optionally with this message (exact, or a pattern) and at this step.',
  additionalProperties: false,
  properties: {
    message: str("psql's message, exact, without the 'connection to server at ... failed: ' prefix (attempts joined by newlines)"),
    pattern: str('a regular expression (JavaScript syntax) the message must match'),
    step: { type: 'string', enum: STAGES, description: 'where libpq or the server stopped' },
  },
};

const outcome: Record<string, JsonSchema> = {
  connects: { type: 'boolean', const: true, description: 'The connection must succeed.' },
  fails: failsSchema,
};

export const EXPECTATIONS_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'pgtls test expectations',
  description: 'What must hold of a PostgreSQL TLS setup: connections that must connect or fail, properties of the setup, matrices.',
  type: 'object',
  additionalProperties: false,
  properties: {
    version: { type: 'integer', enum: [1], description: 'The file format version (1).' },
    defaults: {
      type: 'object',
      additionalProperties: false,
      description: 'What every server and connection uses unless it says otherwise.',
      properties: {
        pgVersion: { type: 'integer', minimum: 13, maximum: 18, description: 'PostgreSQL/libpq major version (default 18).' },
        at: str('The time connections and certificate lifetimes are judged at (ISO-8601; default now).'),
        opensslVersion: {
          type: 'string',
          enum: ['1.1', '3.0', '3.2', '4.0'],
          description: "OpenSSL's version on both sides (default 3.0).",
        },
        securityLevel: { type: 'integer', minimum: 0, maximum: 5, description: "OpenSSL's security level (default 2, Debian's)." },
      },
    },
    servers: {
      type: 'object',
      description: 'The servers, by name.',
      additionalProperties: { $ref: '#/$defs/server' },
    },
    profiles: {
      type: 'object',
      description: 'Client profiles, by name: files, environment, home directory, OS user, source address.',
      additionalProperties: { $ref: '#/$defs/profile' },
    },
    connections: {
      type: 'array',
      description: 'Connection expectations: a connection string with a profile connects, or fails.',
      items: { $ref: '#/$defs/connection' },
    },
    matrices: {
      type: 'array',
      description: 'One expectation over many sslmodes and profiles ("every sslmode below verify-full fails for profile X").',
      items: { $ref: '#/$defs/matrix' },
    },
    properties: {
      type: 'array',
      description: 'Properties of a server setup.',
      items: { $ref: '#/$defs/properties' },
    },
  },
  $defs: {
    server: {
      type: 'object',
      additionalProperties: false,
      properties: {
        pgdata: str('The data directory (relative to this file): postgresql.conf, pg_hba.conf, certificates.'),
        host: str('The host name clients use (verify-full checks it; the SAN property checks it).'),
        hostaddr: str('The address clients connect to (skips name resolution).'),
        port: { type: 'integer', minimum: 1, maximum: 65535, description: 'The port (default: postgresql.conf, else 5432).' },
        settings: strMap('Server settings given inline, as postgres -c NAME=VALUE (they win over postgresql.conf).'),
        passphrase: str('What ssl_passphrase_command prints (commands are not run).'),
        pgVersion: { type: 'integer', minimum: 13, maximum: 18, description: 'This server’s major version.' },
        names: { type: 'array', items: { type: 'string' }, description: 'More host names clients use (for the SAN property).' },
      },
    },
    profile: {
      type: 'object',
      additionalProperties: false,
      properties: {
        files: {
          type: 'object',
          additionalProperties: false,
          description: "The client's files (relative to this file), given to libpq as connection options.",
          properties: {
            sslrootcert: str('Root certificate(s) to verify the server with.'),
            sslcert: str('Client certificate.'),
            sslkey: str('Client private key.'),
            sslcrl: str('CRL file.'),
            sslcrldir: str('CRL directory.'),
            passfile: str('Password file.'),
          },
        },
        env: strMap('Environment variables (PGSSLMODE, PGSSLROOTCERT...): nothing else of the environment running the test is used.'),
        home: str('HOME (relative to this file): ~/.postgresql/root.crt, postgresql.crt... (default: none)'),
        osUser: str("The client's OS user (libpq's default user)."),
        address: str('The source address the server sees (offline only: live connections come from this machine).'),
      },
    },
    connection: {
      type: 'object',
      additionalProperties: false,
      required: ['conninfo'],
      properties: {
        name: str('What the expectation says, for reports.'),
        server: str('The server (default: every server).'),
        profile: str('The client profile (default: none: an empty environment).'),
        conninfo: str('A key=value connection string; host, hostaddr and port come from the server unless given.'),
        ...outcome,
      },
    },
    matrix: {
      type: 'object',
      additionalProperties: false,
      required: ['conninfo'],
      properties: {
        name: str('What the matrix says, for reports.'),
        server: str('The server (default: every server).'),
        profiles: { type: 'array', items: { type: 'string' }, minItems: 1, description: 'The profiles (default: none).' },
        conninfo: str('The connection string every cell uses; the sslmode is added.'),
        sslmodes: { type: 'array', items: { type: 'string', enum: SSLMODES }, minItems: 1, description: 'These sslmodes.' },
        sslmodesBelow: { type: 'string', enum: SSLMODES, description: 'Every sslmode weaker than this one.' },
        ...outcome,
      },
    },
    properties: {
      type: 'object',
      additionalProperties: false,
      properties: {
        name: str('What these properties are about, for reports.'),
        server: str('The server (default: every server with a data directory).'),
        minTlsVersion: {
          type: 'string',
          enum: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'],
          description: 'ssl_min_protocol_version is at least this.',
        },
        methods: {
          type: 'object',
          additionalProperties: false,
          description: 'The authentication methods allowed on pg_hba.conf lines of each connection type.',
          properties: {
            host: { type: 'array', items: { type: 'string', enum: METHODS } },
            hostssl: { type: 'array', items: { type: 'string', enum: METHODS } },
            hostnossl: { type: 'array', items: { type: 'string', enum: METHODS } },
            local: { type: 'array', items: { type: 'string', enum: METHODS } },
          },
        },
        hostsslRequiresClientCert: {
          type: 'boolean',
          description: 'Every hostssl line asks for a client certificate (cert, or clientcert=verify-ca/verify-full).',
        },
        certificateDaysLeft: {
          type: 'integer',
          minimum: 0,
          description: 'No certificate of ssl_cert_file or ssl_ca_file expires within this many days.',
        },
        keys: {
          type: 'object',
          additionalProperties: false,
          description: 'Key sizes and algorithms of the certificates in ssl_cert_file and ssl_ca_file.',
          properties: {
            minRsaBits: { type: 'integer', minimum: 512 },
            minEcBits: { type: 'integer', minimum: 160 },
            algorithms: { type: 'array', items: { type: 'string', enum: ['rsa', 'rsa-pss', 'ec', 'ed25519', 'ed448'] } },
          },
        },
        noSha1: { type: 'boolean', description: 'No certificate of ssl_cert_file or ssl_ca_file is signed with SHA-1.' },
        sanCoversNames: {
          type: 'boolean',
          description: "The server certificate's subjectAltName holds every name clients use (the server's host and names).",
        },
        crlsNotStale: { type: 'boolean', description: 'Every CRL the server loads has a nextUpdate after the time of the test.' },
      },
    },
  },
};

export const INVENTORY_SCHEMA: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'pgtls test inventory',
  description: 'A fleet: the servers the expectations run against.',
  type: 'object',
  additionalProperties: false,
  required: ['servers'],
  properties: {
    servers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: str('A unique name.'),
          host: str('The host name clients use.'),
          hostaddr: str('The address to connect to.'),
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          profile: str('The profile connections without one use on this server.'),
          pgdata: str('Its data directory (relative to the inventory), for offline runs and properties.'),
        },
      },
    },
  },
};
