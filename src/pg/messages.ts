// Every message the PostgreSQL server and libpq print about connecting, SSL and authentication, as
// data: the exact format string (PostgreSQL's own %s placeholders), where it comes from, and
// the versions that have it. The simulator fills these in; nothing else in src/pg spells a
// PostgreSQL message (src/pg/live, the real-socket client and server, included).
// Facts from be-secure-openssl.c, be-secure-common.c, hba.c, auth.c, postmaster.c, pqcomm.c (server) and
// fe-connect.c, fe-secure-openssl.c, fe-secure-common.c, fe-auth.c (libpq).
// Each table is one gettext domain (postgres, libpq, psql): a message is translated where it
// is formatted, through a MessageFormatter made from a Translate (i18n/translate.ts); `fmt`
// is the English one.

import { cFormat, english, type Domain, type FormatArg, type Translate } from './i18n/translate.js';

/** A part of a message as the C code builds it: a msgid, or (`raw`) text it does not translate. */
export type MsgidPiece = string | { raw: string };

export interface MessageDef {
  /** printf-style format with %s / %d, as in PostgreSQL's source */
  format: string;
  /** source file that prints it */
  source: string;
  /** first PostgreSQL major version that prints it in this form */
  since?: number;
  /** last version that prints it in this form */
  until?: number;
  /** the gettext domain (set by the table it is in) */
  domain?: Domain;
  /**
   * The exact msgid(s) the C code passes to gettext, when they are not `format` itself
   * (libpq 15 and older: `format` plus a newline). Several pieces when the C code appends
   * separately translated parts; `{ raw }` is a part it does not translate. A function when
   * they depend on the major version.
   */
  msgid?: string | readonly MsgidPiece[] | ((pgVersion: number) => readonly MsgidPiece[]);
  /** ngettext: singular and plural msgids, and which argument is n */
  plural?: { msgid: string; msgidPlural: string; n: number };
  /** arguments (0-based) that are strerror() texts, which glibc translates */
  strerror?: readonly number[];
}

const m = (
  format: string,
  source: string,
  since?: number,
  until?: number,
  gettext?: Pick<MessageDef, 'msgid' | 'plural' | 'strerror'>,
): MessageDef => ({
  format,
  source,
  since,
  until,
  ...gettext,
});

/** A table of one gettext domain. */
function inDomain<T extends Record<string, MessageDef>>(domain: Domain, table: T): T {
  for (const def of Object.values(table)) def.domain = domain;
  return table;
}

/** Messages the server writes (start-up FATALs, connection LOG/FATAL lines). */
export const SERVER = inDomain('postgres', {
  // be_tls_init (FATAL at start-up, LOG at reload)
  loadCert: m('could not load server certificate file "%s": %s', 'be-secure-openssl.c'),
  keyAccess: m('could not access private key file "%s": %m', 'be-secure-common.c'),
  keyNotRegular: m('private key file "%s" is not a regular file', 'be-secure-common.c'),
  keyOwner: m('private key file "%s" must be owned by the database user or root', 'be-secure-common.c'),
  keyPerms: m('private key file "%s" has group or world access', 'be-secure-common.c'),
  keyPermsDetail: m(
    'File must have permissions u=rw (0600) or less if owned by the database user, or permissions u=rw,g=r (0640) or less if owned by root.',
    'be-secure-common.c',
  ),
  sslNotReloaded: m('SSL configuration was not reloaded', 'be-secure-openssl.c'),
  keyReloadPassphrase: m('private key file "%s" cannot be reloaded because it requires a passphrase', 'be-secure-openssl.c'),
  loadKey: m('could not load private key file "%s": %s', 'be-secure-openssl.c'),
  checkKey: m('check of private key failed: %s', 'be-secure-openssl.c'),
  protoNotSupported: m('"%s" setting "%s" not supported by this build', 'be-secure-openssl.c'),
  protoRange: m('could not set SSL protocol version range', 'be-secure-openssl.c'),
  protoRangeDetail: m('"%s" cannot be higher than "%s"', 'be-secure-openssl.c'),
  cipherList: m('could not set the cipher list (no valid ciphers available)', 'be-secure-openssl.c'),
  /** PostgreSQL 18 names the TLS 1.2 list, beside ssl_tls13_ciphers */
  cipherList18: m('could not set the TLSv1.2 cipher list (no valid ciphers available)', 'be-secure-openssl.c'),
  tls13Ciphers: m('could not set the TLSv1.3 cipher suites (no valid ciphers available)', 'be-secure-openssl.c'),
  loadRoot: m('could not load root certificate file "%s": %s', 'be-secure-openssl.c'),
  loadCrlFile: m('could not load SSL certificate revocation list file "%s": %s', 'be-secure-openssl.c'),
  loadCrlDir: m('could not load SSL certificate revocation list directory "%s": %s', 'be-secure-openssl.c'),
  loadCrlBoth: m('could not load SSL certificate revocation list file "%s" or directory "%s": %s', 'be-secure-openssl.c'),
  // connections
  acceptSsl: m('could not accept SSL connection: %s', 'be-secure-openssl.c'),
  acceptSslProtoHint: m(
    'This may indicate that the client does not support any SSL protocol version between %s and %s.',
    'be-secure-openssl.c',
  ),
  acceptSslEof: m('could not accept SSL connection: EOF detected', 'be-secure-openssl.c'),
  verifyDetail: m('Client certificate verification failed at depth %d: %s.', 'be-secure-openssl.c', 16),
  unencryptedAfterSsl: m('received unencrypted data after SSL request', 'postmaster.c'),
  // ProcessStartupPacket: a 17+ libpq's direct ClientHello read as a startup packet by a
  // server before 17 (its first four bytes, 0x16030100 and up, as the length)
  invalidStartupLength: m('invalid length of startup packet', 'postmaster.c'),
  // ProcessStartupPacket (backend_startup.c from 17)
  noUserName: m('no PostgreSQL user name specified in startup packet', 'postmaster.c'),
  // ProcessSSLStartup, COMMERROR: logged, nothing sent to the client
  directSslNoAlpn: m('received direct SSL connection request without ALPN protocol negotiation extension', 'backend_startup.c', 17),
  unencryptedAfterSslDetail: m(
    'This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.',
    'postmaster.c',
  ),
  connectionReceived: m('connection received: host=%s port=%d', 'postmaster.c', undefined, undefined, {
    msgid: 'connection received: host=%s port=%s',
  }),
  /** a Unix-socket connection: no port (BackendInitialize; the host is "[local]") */
  connectionReceivedLocal: m('connection received: host=%s', 'postmaster.c'),
  /** set_authn_id, with log_connections */
  connectionAuthenticated: m('connection authenticated: identity="%s" method=%s (%s:%d)', 'auth.c', 14),
  connectionAuthenticatedUser: m('connection authenticated: user="%s" method=%s (%s:%d)', 'auth.c', 17),
  connectionAuthorized: m('connection authorized: user=%s database=%s application_name=%s%s', 'postinit.c', undefined, undefined, {
    msgid: ['connection authorized: user=%s', ' database=%s', ' application_name=%s', { raw: '%s' }],
  }),
  sslInfo: m(' SSL enabled (protocol=%s, cipher=%s, bits=%d)', 'postinit.c', 14),
  sslInfoCompression: m(' SSL enabled (protocol=%s, cipher=%s, bits=%d, compression=%s)', 'postinit.c', undefined, 13),
  // pg_hba / authentication (auth.c)
  noHbaEntry: m('no pg_hba.conf entry for host "%s", user "%s", database "%s", %s', 'auth.c'),
  noHbaEncSsl: m('SSL encryption', 'auth.c'),
  noHbaEncGss: m('GSS encryption', 'auth.c'),
  noHbaEncNone: m('no encryption', 'auth.c', 14),
  noHbaSslOn: m('SSL on', 'auth.c', undefined, 13),
  noHbaSslOff: m('SSL off', 'auth.c', undefined, 13),
  rejectHba: m('pg_hba.conf rejects connection for host "%s", user "%s", database "%s", %s', 'auth.c'),
  noHbaEntryReplication: m('no pg_hba.conf entry for replication connection from host "%s", user "%s", %s', 'auth.c'),
  rejectHbaReplication: m('pg_hba.conf rejects replication connection for host "%s", user "%s", %s', 'auth.c'),
  // HOSTNAME_LOOKUP_DETAIL: errdetail_log of the no-entry FATAL, from check_hostname's lookups
  hostLookupMatches: m('Client IP address resolved to "%s", forward lookup matches.', 'auth.c'),
  hostLookupNotChecked: m('Client IP address resolved to "%s", forward lookup not checked.', 'auth.c'),
  hostLookupNoMatch: m('Client IP address resolved to "%s", forward lookup does not match.', 'auth.c'),
  // the %s after the colon is gai_strerror's text, which glibc translates (domain libc)
  hostLookupNoAddress: m('Could not translate client host name "%s" to IP address: %s.', 'auth.c', undefined, undefined, { strerror: [1] }),
  hostLookupNoName: m('Could not resolve client IP address to a host name: %s.', 'auth.c', undefined, undefined, { strerror: [0] }),
  certStoreMissing: m('client certificates can only be checked if a root certificate store is available', 'auth.c'),
  certRequired: m('connection requires a valid client certificate', 'auth.c'),
  certNoUserName: m('certificate authentication failed for user "%s": client certificate contains no user name', 'auth.c'),
  certValidationFailed: m('certificate validation (clientcert=verify-full) failed for user "%s": %s mismatch', 'auth.c'),
  userNameMismatch: m('provided user name (%s) and authenticated user name (%s) do not match', 'hba.c'),
  noUsermapMatch: m('no match in usermap "%s" for user "%s" authenticated as "%s"', 'hba.c'),
  identNoSubexpression: m('regular expression "%s" has no subexpressions as requested by backreference in "%s"', 'hba.c'),
  authFailed: m('%s authentication failed for user "%s"', 'auth.c'),
  authFailedCert: m('certificate authentication failed for user "%s"', 'auth.c'),
  authFailedTrust: m('"trust" authentication failed for user "%s"', 'auth.c'),
  authFailedPassword: m('password authentication failed for user "%s"', 'auth.c'),
  authFailedPeer: m('Peer authentication failed for user "%s"', 'auth.c'),
  // the DETAIL before "Connection matched ..." when a password is refused (crypt.c, auth-scram.c)
  passwordMismatch: m('Password does not match for user "%s".', 'crypt.c'),
  noPasswordAssigned: m('User "%s" has no password assigned.', 'crypt.c'),
  noScramSecret: m('User "%s" does not have a valid SCRAM secret.', 'auth-scram.c'),
  connectionMatched: m('Connection matched pg_hba.conf line %d: "%s"', 'auth.c', 13, 15),
  connectionMatchedFile: m('Connection matched file "%s" line %d: "%s"', 'auth.c', 16),
  hbaLoadFailed: m('could not load pg_hba.conf', 'postmaster.c'),
  // the listening sockets at start-up (PostmasterMain, StreamServerPort)
  socketListSyntax: m('invalid list syntax in parameter "%s"', 'postmaster.c'),
  socketPathTooLong: m('Unix-domain socket path "%s" is too long (maximum %d bytes)', 'pqcomm.c'),
  socketCreateFailed: m('could not create Unix-domain socket in directory "%s"', 'postmaster.c'),
  noUnixSockets: m('could not create any Unix-domain sockets', 'postmaster.c'),
  noListenSocket: m('no socket created for listening', 'postmaster.c'),
  // initialize_ecdh (13-17: ssl_ecdh_curve; 18: ssl_groups)
  ecdhCreateKey: m('ECDH: could not create key', 'be-secure-openssl.c', undefined, 17),
  ecdhUnknownCurve: m('ECDH: unrecognized curve name: %s', 'be-secure-openssl.c', undefined, 17),
  sslGroups: m('could not set group names specified in ssl_groups: %s', 'be-secure-openssl.c', 18),
  sslGroupsHint: m(
    'Ensure that each group name is spelled correctly and supported by the installed version of OpenSSL.',
    'be-secure-openssl.c',
    18,
  ),
  peerCnNull: m("SSL certificate's common name contains embedded null", 'be-secure-openssl.c'),
} as const);

/**
 * What the server says about its configuration files (postgresql.conf and its includes,
 * pg_hba.conf, pg_ident.conf and their @file/include lines): the LOG/FATAL lines written at
 * start-up or reload and the error columns of the pg_file_settings and pg_hba_file_rules views.
 */
export const CONFIG = inDomain('postgres', {
  optionOnlyForMethods: m('authentication option "%s" is only valid for authentication methods %s', 'hba.c'),
  clientcertConfiguredRows: m('clientcert can only be configured for "hostssl" rows', 'hba.c'),
  clientcertNoVerifyWithCert: m('clientcert cannot be set to "no-verify" when using "cert" authentication', 'hba.c'),
  invalidValueClientcert: m('invalid value for clientcert: "%s"', 'hba.c'),
  clientcertOnlyVerifyFullWithCert: m('clientcert only accepts "verify-full" when using "cert" authentication', 'hba.c'),
  clientcertOnlyVerifyFullWithCertView: m('clientcert can only be set to "verify-full" when using "cert" authentication', 'hba.c'),
  clientnameConfiguredRows: m('clientname can only be configured for "hostssl" rows', 'hba.c'),
  invalidValueClientname: m('invalid value for clientname: "%s"', 'hba.c'),
  ldapUrlsSupportedPlatform: m('LDAP URLs not supported on this platform', 'hba.c'),
  ldapUrlUnparsable: m('could not parse LDAP URL "%s": Time limit exceeded', 'hba.c'),
  unsupportedLdapUrlScheme: m('unsupported LDAP URL scheme: %s', 'hba.c'),
  invalidLdapschemeValue: m('invalid ldapscheme value: "%s"', 'hba.c'),
  invalidLdapPortNumber: m('invalid LDAP port number: "%s"', 'hba.c'),
  couldParseRadiusList: m('could not parse RADIUS %s list "%s"', 'hba.c'),
  invalidRadiusPortNumber: m('invalid RADIUS port number: "%s"', 'hba.c'),
  couldTranslateRadiusServerName: m('could not translate RADIUS server name "%s" to address: Name or service not known', 'hba.c'),
  unrecognizedAuthenticationOptionName: m('unrecognized authentication option name: "%s"', 'hba.c'),
  multipleValuesSpecifiedConnectionType: m('multiple values specified for connection type', 'hba.c'),
  specifyExactlyOneConnectionType: m('Specify exactly one connection type per line.', 'hba.c'),
  invalidConnectionType: m('invalid connection type "%s"', 'hba.c'),
  localConnectionsAreSupportedBuild: m('local connections are not supported by this build', 'hba.c'),
  hostsslNoSslBuild: m('hostssl record cannot match because SSL is not supported by this build', 'hba.c'),
  hostsslSslOff: m('hostssl record cannot match because SSL is disabled', 'hba.c'),
  hostsslSslOffHint17: m('Set "ssl = on" in postgresql.conf.', 'hba.c'),
  hostsslSslOffHint: m('Set ssl = on in postgresql.conf.', 'hba.c'),
  hostgssencNoGssBuild: m('hostgssenc record cannot match because GSSAPI is not supported by this build', 'hba.c'),
  endLineBeforeDatabaseSpecification: m('end-of-line before database specification', 'hba.c'),
  endLineBeforeRoleSpecification: m('end-of-line before role specification', 'hba.c'),
  invalidRegularExpression: m('invalid regular expression "%s": %s', 'hba.c'),
  endLineBeforeIpAddress: m('end-of-line before IP address specification', 'hba.c'),
  multipleValuesSpecifiedHostAddress: m('multiple values specified for host address', 'hba.c'),
  specifyOneAddressRangePer: m('Specify one address range per line.', 'hba.c'),
  specifyingBothHostNameCidr: m('specifying both host name and CIDR mask is invalid: "%s"', 'hba.c'),
  invalidCidrMaskAddress: m('invalid CIDR mask in address "%s"', 'hba.c'),
  endLineBeforeNetmaskSpecification: m('end-of-line before netmask specification', 'hba.c'),
  specifyAddressRangeCidrNotation: m('Specify an address range in CIDR notation, or provide a separate netmask.', 'hba.c'),
  multipleValuesSpecifiedNetmask: m('multiple values specified for netmask', 'hba.c'),
  invalidIpMaskNameService: m('invalid IP mask "%s": Name or service not known', 'hba.c'),
  ipAddressMaskDoMatch: m('IP address and mask do not match', 'hba.c'),
  endLineBeforeAuthenticationMethod: m('end-of-line before authentication method', 'hba.c'),
  multipleValuesSpecifiedAuthenticationType: m('multiple values specified for authentication type', 'hba.c'),
  specifyExactlyOneAuthenticationType: m('Specify exactly one authentication type per line.', 'hba.c'),
  invalidAuthenticationMethod: m('invalid authentication method "%s"', 'hba.c'),
  md5AuthenticationSupportedEnabled: m('MD5 authentication is not supported when "db_user_namespace" is enabled', 'hba.c'),
  invalidAuthenticationMethodSupportedBuild: m('invalid authentication method "%s": not supported by this build', 'hba.c'),
  gssapiAuthenticationSupportedLocalSockets: m('gssapi authentication is not supported on local sockets', 'hba.c'),
  peerAuthenticationSupportedLocalSockets: m('peer authentication is only supported on local sockets', 'hba.c'),
  certAuthenticationSupportedHostsslConnections: m('cert authentication is only supported on hostssl connections', 'hba.c'),
  authenticationOptionNameValueFormat: m('authentication option not in name=value format: %s', 'hba.c'),
  ldapNeedsServer: m('authentication method "ldap" requires argument "ldapserver" to be set', 'hba.c'),
  cannotUseLdapbasednLdapbinddnLdapbindpasswd: m(
    'cannot use ldapbasedn, ldapbinddn, ldapbindpasswd, ldapsearchattribute, ldapsearchfilter, or ldapurl together with ldapprefix',
    'hba.c',
  ),
  ldapNeedsBasedn: m('authentication method "ldap" requires argument "ldapbasedn", "ldapprefix", or "ldapsuffix" to be set', 'hba.c'),
  cannotUseLdapsearchattributeTogetherLdapsearchfilter: m('cannot use ldapsearchattribute together with ldapsearchfilter', 'hba.c'),
  radiusNeedsServers: m('authentication method "radius" requires argument "radiusservers" to be set', 'hba.c'),
  radiusNeedsSecrets: m('authentication method "radius" requires argument "radiussecrets" to be set', 'hba.c'),
  listRadiusServersCannotEmpty: m('list of RADIUS servers cannot be empty', 'hba.c'),
  listRadiusSecretsCannotEmpty: m('list of RADIUS secrets cannot be empty', 'hba.c'),
  radiusListLength: m('the number of RADIUS %s (%d) must be 1 or the same as the number of RADIUS servers (%d)', 'hba.c'),
  configurationFileContainsNoEntries: m('configuration file "%s" contains no entries', 'hba.c'),
  authFileLoadFailed: m('could not load %s', 'hba.c'),
  authFileNotReloaded: m('%s was not reloaded', 'hba.c'),
  couldOpenConfigurationFile: m('could not open configuration file "%s": %s', 'hba.c'),
  tokenTooLong: m('authentication file token too long, skipping: "%s"', 'hba.c'),
  tokenTooLongView: m('authentication file token too long', 'hba.c'),
  couldOpenFileMaximumNesting: m('could not open file "%s": maximum nesting depth exceeded', 'hba.c'),
  couldOpenFile: m('could not open file "%s": %s', 'hba.c'),
  couldOpenSecondaryAuthenticationFile: m('could not open secondary authentication file "@%s" as "%s": %s', 'hba.c'),
  couldOpenDirectory: m('could not open directory "%s": %s', 'hba.c'),
  skippingMissingAuthenticationFile: m('skipping missing authentication file "%s"', 'hba.c'),
  emptyConfigurationFileName: m('empty configuration file name: "%s"', 'guc-file.l'),
  emptyFileNameView: m('empty configuration file name', 'guc-file.l'),
  couldOpenConfigurationFileMaximum: m('could not open configuration file "%s": maximum nesting depth exceeded', 'guc-file.l'),
  nestingDepthExceeded: m('nesting depth exceeded', 'guc-file.l'),
  configurationFileRecursion: m('configuration file recursion in "%s"', 'guc-file.l'),
  recursionView: m('configuration file recursion', 'guc-file.l'),
  couldOpenFileView: m('could not open file "%s"', 'guc-file.l'),
  skippingMissingConfigurationFile: m('skipping missing configuration file "%s"', 'guc-file.l'),
  emptyConfigurationDirectoryName: m('empty configuration directory name: "%s"', 'guc-file.l'),
  emptyDirNameView: m('empty configuration directory name', 'guc-file.l'),
  couldOpenConfigurationDirectory: m('could not open configuration directory "%s": %s', 'guc-file.l'),
  couldOpenDirectoryView: m('could not open directory "%s"', 'guc-file.l'),
  couldStatFileNoSuch: m('could not stat file "%s": No such file or directory', 'guc-file.l'),
  couldStatFile: m('could not stat file "%s"', 'guc-file.l'),
  syntaxErrorNearEol: m('syntax error in file "%s" line %d, near end of line', 'guc-file.l'),
  syntaxError: m('syntax error', 'guc-file.l'),
  syntaxErrorNearToken: m('syntax error in file "%s" line %d, near token "%s"', 'guc-file.l'),
  tooManySyntaxErrorsFound: m('too many syntax errors found, abandoning file "%s"', 'guc-file.l'),
  parameterCannotChanged: m('parameter "%s" cannot be changed', 'guc.c'),
  parameterRequiresBooleanValue: m('parameter "%s" requires a Boolean value', 'guc.c'),
  invalidValueParameter: m('invalid value for parameter "%s": "%s"', 'guc.c'),
  availableValues: m('Available values: %s.', 'guc.c'),
  outsideRange: m('%d is outside the valid range for parameter "%s" (%d .. %d)', 'guc.c'),
  noConfigFile: m('postgres: could not access the server configuration file "%s": No such file or directory', 'guc-file.l'),
  unrecognizedConfigurationParameterFileLine: m('unrecognized configuration parameter "%s" in file "%s" line %d', 'guc-file.l'),
  unrecognizedConfigurationParameter: m('unrecognized configuration parameter', 'guc.c'),
  settingCouldApplied: m('setting could not be applied', 'guc.c'),
  configFileErrors: m('configuration file "%s" contains errors', 'guc-file.l'),
  configFileErrorsApplied: m('configuration file "%s" contains errors; %s changes were applied', 'guc-file.l'),
  // the postmaster at SIGHUP (guc-file.l ProcessConfigFileInternal)
  sighupReload: m('received SIGHUP, reloading configuration files', 'postmaster.c'),
  restartNeeded: m('parameter "%s" cannot be changed without restarting the server', 'guc-file.l'),
  parameterRemoved: m('parameter "%s" removed from configuration file, reset to default', 'guc-file.l'),
  parameterChanged: m('parameter "%s" changed to "%s"', 'guc-file.l'),
  // pg_ident.conf (hba.c parse_ident_line, load_ident)
  identMultipleValues: m('multiple values in ident field', 'hba.c'),
  identMissingEntry: m('missing entry in file "%s" at end of line %d', 'hba.c'),
  identMissingEntryView: m('missing entry at end of line', 'hba.c'),
  usermapOpenFailed: m('could not open usermap file "%s": %s', 'hba.c'),
} as const);

/** Messages libpq puts in PQerrorMessage (psql prints them after its prefix). */
export const LIBPQ = inDomain('libpq', {
  invalidOption: m('invalid %s value: "%s"', 'fe-connect.c'),
  invalidPortNumber: m('invalid port number: "%s"', 'fe-connect.c'),
  invalidPort: m('invalid integer value "%s" for connection option "port"', 'fe-connect.c'),
  badHostaddr: m('could not parse network address "%s": Name or service not known', 'fe-connect.c'),
  invalidConnOption: m('invalid connection option "%s"', 'fe-connect.c'),
  missingEquals: m('missing "=" after "%s" in connection info string', 'fe-connect.c'),
  weakSslmodeSystem: m('weak sslmode "%s" may not be used with sslrootcert=system (use "verify-full")', 'fe-connect.c', 16),
  weakSslmodeDirect: m(
    'weak sslmode "%s" may not be used with sslnegotiation=direct (use "require", "verify-ca", or "verify-full")',
    'fe-connect.c',
    17,
  ),
  invalidProtoRange: m('invalid SSL protocol version range', 'fe-connect.c'),
  rootMissing: m(
    'root certificate file "%s" does not exist\nEither provide the file or change sslmode to disable server certificate verification.',
    'fe-secure-openssl.c',
    undefined,
    15,
  ),
  rootMissing16: m(
    'root certificate file "%s" does not exist\nEither provide the file, use the system\'s trusted roots with sslrootcert=system, or change sslmode to disable server certificate verification.',
    'fe-secure-openssl.c',
    16,
  ),
  noHomeForRoot: m(
    'could not get home directory to locate root certificate file\nEither provide the file or change sslmode to disable server certificate verification.',
    'fe-secure-openssl.c',
    undefined,
    15,
  ),
  readRoot: m('could not read root certificate file "%s": %s', 'fe-secure-openssl.c'),
  openCert: m('could not open certificate file "%s": %s', 'fe-secure-openssl.c'),
  readCert: m('could not read certificate file "%s": %s', 'fe-secure-openssl.c'),
  keyMissing: m('certificate present, but not private key file "%s"', 'fe-secure-openssl.c'),
  keyStat: m('could not stat private key file "%s": %s', 'fe-secure-openssl.c'),
  keyNotRegular: m('private key file "%s" is not a regular file', 'fe-secure-openssl.c'),
  keyPerms: m(
    'private key file "%s" has group or world access; file must have permissions u=rw (0600) or less if owned by the current user, or permissions u=rw,g=r (0640) or less if owned by root',
    'fe-secure-openssl.c',
  ),
  loadKey: m('could not load private key file "%s": %s', 'fe-secure-openssl.c'),
  keyMismatch: m('certificate does not match private key file "%s": %s', 'fe-secure-openssl.c'),
  sslError: m('SSL error: %s', 'fe-secure-openssl.c'),
  sslSyscallEof: m('SSL SYSCALL error: EOF detected', 'fe-secure-openssl.c'),
  // open_client_SSL, 17+: with sslnegotiation=direct the server must have selected ALPN postgresql
  directSslNoAlpn: m('direct SSL connection was established without ALPN protocol negotiation extension', 'fe-secure-openssl.c', 17),
  unexpectedAlpn: m('SSL connection was established with unexpected ALPN protocol', 'fe-secure-openssl.c', 17),
  protoHint: m('This may indicate that the server does not support any SSL protocol version between %s and %s.', 'fe-secure-openssl.c'),
  hostNameMissing: m('host name must be specified for a verified SSL connection', 'fe-secure-common.c'),
  nameMismatch1: m('server certificate for "%s" does not match host name "%s"', 'fe-secure-common.c'),
  nameMismatchN1: m(
    'server certificate for "%s" (and %d other name) does not match host name "%s"',
    'fe-secure-common.c',
    undefined,
    undefined,
    {
      plural: {
        msgid: 'server certificate for "%s" (and %d other name) does not match host name "%s"\n',
        msgidPlural: 'server certificate for "%s" (and %d other names) does not match host name "%s"\n',
        n: 1,
      },
    },
  ),
  nameMismatchN: m(
    'server certificate for "%s" (and %d other names) does not match host name "%s"',
    'fe-secure-common.c',
    undefined,
    undefined,
    {
      plural: {
        msgid: 'server certificate for "%s" (and %d other name) does not match host name "%s"\n',
        msgidPlural: 'server certificate for "%s" (and %d other names) does not match host name "%s"\n',
        n: 1,
      },
    },
  ),
  noNameInCert: m("could not get server's host name from server certificate", 'fe-secure-common.c'),
  embeddedNull: m("SSL certificate's name contains embedded null", 'fe-secure-common.c'),
  serverNoSsl: m('server does not support SSL, but SSL was required', 'fe-connect.c'),
  serverErrorDuringSsl: m('server sent an error response during SSL exchange', 'fe-connect.c'),
  unencryptedAfterSsl: m('received unencrypted data after SSL response', 'fe-connect.c'),
  certNotRequested: m('server did not request an SSL certificate', 'fe-auth.c', 16),
  certNotAccepted: m('server accepted connection without a valid SSL certificate', 'fe-auth.c', 16),
  noPasswordSupplied: m('fe_sendauth: no password supplied', 'fe-auth.c'),
  timeoutExpired: m('timeout expired', 'fe-connect.c'),
  expectedAuthRequest: m('expected authentication request from server, but received %c', 'fe-connect.c'),
  // pqReadData's text is three lines ("...\n\tThis probably means the server terminated
  // abnormally\n\tbefore or while processing the request."); src/pg/live prints only the
  // first, which is no msgid of its own: left untranslated
  serverClosedFirstLine: m('server closed the connection unexpectedly', 'fe-misc.c', undefined, undefined, {
    msgid: [{ raw: 'server closed the connection unexpectedly' }],
  }),
  // the password file (passwordFromFile prints its warnings to stderr itself, with the newline
  // in the msgid in every version: checked in 15's and 17's catalogs; pgpassfileWarning adds
  // its line to the error of a 28P01 failure)
  passfileNotPlain: m('WARNING: password file "%s" is not a plain file', 'fe-connect.c', undefined, undefined, {
    msgid: 'WARNING: password file "%s" is not a plain file\n',
  }),
  passfileInsecure: m(
    'WARNING: password file "%s" has group or world access; permissions should be u=rw (0600) or less',
    'fe-connect.c',
    undefined,
    undefined,
    { msgid: 'WARNING: password file "%s" has group or world access; permissions should be u=rw (0600) or less\n' },
  ),
  passfileRetrieved: m('password retrieved from file "%s"', 'fe-connect.c'),
  // sslkeylogfile (18): SSL_CTX_keylog_cb prints this to stderr itself, once per secret
  keylogOpen: m('WARNING: could not open SSL key logging file "%s": %s', 'fe-secure-openssl.c', 18, undefined, { strerror: [1] }),
  // connecting (PQconnectPoll): the TCP and Unix-socket connect() failures, with strerror's text
  tcpConnectFailed: m('%s\n\tIs the server running on that host and accepting TCP/IP connections?', 'fe-connect.c', 14, undefined, {
    // 16+: libpq_append_conn_error adds the newline (17's catalog has the msgid without it)
    msgid: (v) => [{ raw: '%s\n' }, `\tIs the server running on that host and accepting TCP/IP connections?${v <= 15 ? '\n' : ''}`],
    strerror: [0],
  }),
  socketConnectFailed: m('%s\n\tIs the server running locally and accepting connections on that socket?', 'fe-connect.c', 14, undefined, {
    msgid: (v) => [{ raw: '%s\n' }, `\tIs the server running locally and accepting connections on that socket?${v <= 15 ? '\n' : ''}`],
    strerror: [0],
  }),
  socketPathTooLong: m('Unix-domain socket path "%s" is too long (maximum %d bytes)', 'fe-connect.c'),
  // after connect() on a Unix socket, before the startup packet
  requirePeerMismatch: m('requirepeer specifies "%s", but actual peer user name is "%s"', 'fe-connect.c'),
  gssRequiredImpossible: m(
    'GSSAPI encryption required but was impossible (possibly no credential cache, no server support, or using a local socket)',
    'fe-connect.c',
    12,
    16,
  ),
  gssRequiredLocal: m('GSSAPI encryption required but it is not supported over a local socket', 'fe-connect.c', 17),
  /** psql's prefix for a failed attempt on one host (PostgreSQL 14+) */
  attemptPrefix: m('connection to server at "%s" (%s), port %d failed: ', 'fe-connect.c', 14, undefined, {
    msgid: 'connection to server at "%s" (%s), port %s failed: ',
  }),
  attemptPrefixNoAddr: m('connection to server at "%s", port %d failed: ', 'fe-connect.c', 14, undefined, {
    msgid: 'connection to server at "%s", port %s failed: ',
  }),
  attemptPrefixSocket: m('connection to server on socket "%s" failed: ', 'fe-connect.c', 14, undefined, {
    msgid: 'connection to server on socket "%s" failed: ',
  }),
} as const);

/** psql's own texts (domain psql; logging.c is compiled into psql). */
export const PSQL = inDomain('psql', {
  /** pg_log_error's level word after `psql: ` */
  errorPrefix: m('error: ', 'logging.c', undefined, undefined, { msgid: 'error: ' }),
} as const);

/** The words elog.c puts in front of a server log line's fields (domain postgres). */
export const ELOG = inDomain('postgres', {
  LOG: m('LOG', 'elog.c'),
  FATAL: m('FATAL', 'elog.c'),
  WARNING: m('WARNING', 'elog.c'),
  ERROR: m('ERROR', 'elog.c'),
  DETAIL: m('DETAIL:  ', 'elog.c'),
  HINT: m('HINT:  ', 'elog.c'),
  CONTEXT: m('CONTEXT:  ', 'elog.c'),
} as const);

/**
 * A message as the code said it (table entry and arguments), to be printed in some language
 * later. An argument may be a message itself (the "SSL enabled (...)" part of "connection
 * authorized", the encryption words of "no pg_hba.conf entry"), formatted in the same language.
 */
export interface MessageCall {
  def: MessageDef;
  args: (string | number | MessageCall)[];
}

/** Text still to be printed: a message, a text taken as it is (not translated), or lines of these. */
export type Text = MessageCall | string | readonly Text[];

/** A MessageCall: `said(SERVER.authFailed, method, user)`. */
export const said = (def: MessageDef, ...args: MessageCall['args']): MessageCall => ({ def, args });

/** Print a Text in the language of `f`: messages through `f`, plain texts as they are, lines joined with newlines. */
export function say(f: MessageFormatter, t: Text): string {
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.map((x) => say(f, x)).join('\n');
  const call = t as MessageCall;
  return f(call.def, ...call.args.map((a) => (typeof a === 'object' ? say(f, a) : a)));
}

/** Formats a message: English (`fmt`) or translated (`messageFormatter`). A plain string is used as given. */
export type MessageFormatter = (def: MessageDef | string, ...args: FormatArg[]) => string;

/**
 * The msgid pieces gettext sees for a message in a PostgreSQL major version: libpq up to 15
 * ends each message with a newline inside the msgid (16 moved it to libpq_append_conn_error).
 */
function gettextIds(def: MessageDef, pgVersion: number): readonly MsgidPiece[] {
  if (typeof def.msgid === 'function') return def.msgid(pgVersion);
  if (def.msgid !== undefined) return typeof def.msgid === 'string' ? [def.msgid] : def.msgid;
  return [def.domain === 'libpq' && pgVersion <= 15 ? `${def.format}\n` : def.format];
}

/**
 * A formatter that translates each message in its domain where it is formatted. The
 * arguments are split over the pieces by their directives; the newline libpq's msgid ends
 * with (and `format` does not) is dropped again.
 */
export function messageFormatter(t: Translate, pgVersion: number): MessageFormatter {
  if (t === english) return fmt;
  return (def, ...args) => {
    if (typeof def === 'string' || !def.domain) return fmt(def, ...args);
    const domain = def.domain;
    let out: string;
    if (def.plural) {
      const { msgid, msgidPlural, n } = def.plural;
      out = t(domain, msgid, args, { plural: { msgid: msgidPlural, n: Number(args[n]) }, strerror: def.strerror });
    } else {
      let at = 0;
      out = gettextIds(def, pgVersion)
        .map((piece) => {
          const id = typeof piece === 'string' ? piece : piece.raw;
          const count = [...id.matchAll(/%(?:\d+\$)?[-+ #0']*\d*(?:\.\d+)?(?:hh|h|ll|l|z|j|t|L)?[sdiucxXom]/g)].length;
          const mine = args.slice(at, at + count);
          const strerror = def.strerror?.filter((i) => i >= at && i < at + count).map((i) => i - at);
          at += count;
          return typeof piece === 'string'
            ? t(domain, id, mine, { strerror })
            : cFormat(
                id,
                mine.map((v, i) => (strerror?.includes(i) && typeof v === 'string' ? t('libc', v) : v)),
              );
        })
        .join('');
    }
    return out.endsWith('\n') && !def.format.endsWith('\n') ? out.slice(0, -1) : out;
  };
}

/** Fill a PostgreSQL format string: %s, %d, %zu, %c and %m take the next argument in order. */
export function fmt(def: MessageDef | string, ...args: (string | number)[]): string {
  const format = typeof def === 'string' ? def : def.format;
  let i = 0;
  return format.replace(/%(?:s|d|zu|c|m)/g, () => {
    const a = args[i++];
    return a === undefined ? '' : String(a);
  });
}
