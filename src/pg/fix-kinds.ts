// The kinds of advice a fix can give, each with the names of its arguments (file names,
// option names, hosts, depths...): a fix is a value, `{ kind, args }`, decided from what
// failed (fix.ts) and turned into words per language only when shown (fix-render.ts with
// the templates of fix-text.ts). One kind per distinct piece of advice; a sentence that
// differs in its words (not only in its arguments) is another kind, so every language's
// template takes exactly the kind's arguments.

export const FIX_ARGS = {
  // be_tls_init's file failures (server start-up), by OpenSSL's reason
  'start-no-file': ['setting', 'file'],
  'start-no-access-key': ['file'],
  'start-no-access': ['file'],
  'start-no-start-line': ['file', 'setting'],
  'start-asn1': ['file'],
  'start-no-cert-or-crl': ['file', 'setting'],
  'start-key-encrypted': [],
  'start-key-bad-passphrase': [],
  'start-key-mismatch': ['file'],
  // both sides' PEM files
  'pem-bad-base64': ['file'],
  'pem-not-key': ['file'],
  'md-below-level': ['file', 'level'],
  // ssl_security_cert at start-up; keys is the level clamped to 0..5, which names the keys that meet it
  'start-ee-key-small': ['file', 'level', 'keys'],
  'start-ca-key-small': ['file', 'level', 'keys'],
  // other start-up causes
  'hba-load': [],
  'key-not-regular': ['file'],
  'key-owner': ['file'],
  'key-perms': ['file'],
  'key-reload-passphrase': [],
  'protocol-version': [],
  'protocol-range': [],
  'tls13-ciphers': [],
  'ssl-ciphers': [],
  'ssl-groups': [],
  'ecdh-curve': [],
  // libpq's initialize_SSL
  'client-no-file': ['option', 'file'],
  'client-no-access': ['file', 'option'],
  'client-no-start-line': ['file', 'option'],
  'client-asn1': ['file'],
  'client-key-encrypted': [],
  'client-key-bad-passphrase': [],
  'client-key-mismatch': ['file'],
  'root-missing': ['file'],
  'root-missing-no-home': [],
  'client-ee-key-small': ['file', 'level', 'keys'],
  'client-ca-key-small': ['file', 'level', 'keys'],
  'client-key-missing': ['file'],
  'client-key-not-regular': ['file'],
  'client-key-perms': ['file'],
  // the certificate checks of the handshake (side: server or client)
  'send-intermediate': ['issuer', 'source', 'subject', 'certFile'],
  'add-root': ['issuer', 'source'],
  'server-ca-missing': ['issuer', 'certFile'],
  'client-ca-missing': ['issuer'],
  'server-chain-no-root': ['issuer'],
  'client-chain-no-root': ['issuer'],
  'server-self-signed': [],
  'client-self-signed': [],
  'server-root-in-chain': [],
  'client-root-in-chain': [],
  'cert-expired': ['side', 'subject', 'notAfter'],
  'cert-expired-unknown': ['side'],
  'cert-not-yet-valid': ['side'],
  'server-crl-missing': [],
  'client-crl-missing': [],
  'cert-revoked': ['side'],
  'ca-revoked': ['subject', 'depth', 'side'],
  'crl-expired': [],
  'invalid-ca': ['side'],
  'path-length': [],
  'server-purpose': [],
  'client-purpose': [],
  'signature-failure': ['side'],
  'ee-key-too-small': ['side', 'level', 'keys'],
  'ca-key-too-small': ['level', 'keys'],
  'ca-md-too-weak': ['level'],
  'chain-refused-at-handshake': ['level', 'keys'],
  'tls-versions': [],
  // pg_hba.conf and authentication
  'hba-add-local': ['database', 'user'],
  'hba-add-hostssl': ['database', 'user', 'address'],
  'hba-add-host': ['database', 'user', 'address'],
  'hba-reject': ['line'],
  'cert-store-missing': [],
  'cert-required': [],
  'ident-add': ['map', 'osUser', 'user'],
  'peer-mismatch': ['osUser', 'user'],
  'cert-cn-mismatch': ['cn', 'user'],
  'supply-password': [],
  'stat-ssl': [],
  'passfile-perms': ['file'],
  'passfile-not-regular': ['file'],
  'passfile-unreadable': ['file'],
  'passfile-create': ['file', 'line'],
  'passfile-add': ['line', 'file'],
  'password-mismatch-passfile': ['file', 'lineNo', 'user'],
  'password-mismatch': ['user'],
  'role-no-password': ['user'],
  'role-md5': ['user'],
  // the connection string, the host loop, the SSL negotiation, the host name
  conninfo: ['message'],
  /** places: the listen-* phrases below */
  'nothing-listens': ['places'],
  'listen-tcp': ['addresses', 'port'],
  'listen-tcp-none': ['port'],
  'listen-socket': ['paths', 'port'],
  'listen-sockets': ['paths', 'port'],
  'listen-no-socket': [],
  requirepeer: ['serverUser'],
  'gss-socket': [],
  'direct-tls': ['version'],
  'ssl-off': [],
  'host-give': [],
  'host-connect-or-san': ['name', 'san'],
  'host-san': ['san'],
} as const satisfies Record<string, readonly string[]>;

export type FixKind = keyof typeof FIX_ARGS;

/** An argument: a word or number shown as is, a list of them, or a list of phrases (advice items rendered in place). */
export type FixArg = string | number | readonly string[] | readonly FixAdvice[];

/** The arguments of one kind, by name. */
export type FixArgs<K extends FixKind> = { [A in (typeof FIX_ARGS)[K][number]]: FixArg };

/** One piece of advice: its kind and its arguments (plain data: it crosses to a web worker and into JSON). */
export type FixAdvice = { [K in FixKind]: { kind: K; args: FixArgs<K> } }[FixKind];

export const FIX_KINDS = Object.keys(FIX_ARGS) as FixKind[];

/** A piece of advice, typed by its kind. */
export const advice = <K extends FixKind>(kind: K, args: FixArgs<K>): FixAdvice => ({ kind, args }) as FixAdvice;
