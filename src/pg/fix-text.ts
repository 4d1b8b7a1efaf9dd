// The words of each piece of advice (fix-kinds.ts), one template per kind and language, and
// the terms some arguments are shown through (a setting's file, the keys a security level
// takes). Placeholders: {arg} shows the argument as is; {arg:term} shows TERMS[lang][term]
// for its value ('*' the fallback, '{}' in it the value); {arg*sep} shows a list joined by
// sep (phrases rendered in the same language). File names, options, configuration lines
// and commands stay verbatim in every language. The Japanese follows the terms of the
// Japanese PostgreSQL manual (証明書, 秘密鍵, 認証局, 中間証明書, 接続文字列...).

import type { FixKind } from './fix-kinds.js';

export const FIX_LANGS = ['en', 'ja'] as const;
export type FixLang = (typeof FIX_LANGS)[number];

export const TERM_NAMES = ['what', 'keys', 'clientFile', 'side', 'name'] as const;
export type TermName = (typeof TERM_NAMES)[number];

const EN: Record<FixKind, string> = {
  'start-no-file': 'put {setting:what} at {file} ({setting}, relative to the data directory)',
  'start-no-access-key': 'the postgres user cannot read {file}: make it owned by postgres (0600) or readable by its group (0640)',
  'start-no-access': 'the postgres user cannot read {file}: make it readable by postgres',
  'start-no-start-line': '{file} must hold a PEM certificate (-----BEGIN CERTIFICATE-----), leaf first; {setting} must name that file',
  'start-asn1': 'a PEM block in {file} does not hold a certificate OpenSSL can read: export it again (openssl x509 -in <file> -out {file})',
  'start-no-cert-or-crl': '{file} holds no PEM certificate or CRL: {setting} must name a file with {setting:what}',
  'start-key-encrypted':
    "the key is encrypted: set ssl_passphrase_command (e.g. 'echo <passphrase>') or store the key unencrypted (openssl pkey -in key -out key.plain)",
  'start-key-bad-passphrase':
    'the key is encrypted and the passphrase is wrong: fix ssl_passphrase_command, or store the key unencrypted (openssl pkey -in key -out key.plain)',
  'start-key-mismatch': '{file} does not belong to the first certificate in ssl_cert_file: use the key the certificate was issued for',
  'pem-bad-base64':
    'a PEM block in {file} has damaged base64 (a character outside A-Z a-z 0-9 + / =, or a cut line): copy the file again from its source',
  'pem-not-key': '{file} must hold a PEM private key (-----BEGIN PRIVATE KEY-----)',
  'md-below-level':
    'a certificate in {file} is signed with a digest below security level {level} (SHA-1, MD5): reissue it signed with SHA-256',
  'start-ee-key-small':
    "the server certificate's key ({file}) is below OpenSSL's security level {level}: reissue the certificate with {keys:keys}",
  'start-ca-key-small':
    'a CA certificate after the leaf in {file} has a key below security level {level}: reissue that CA with {keys:keys}, or leave it out of {file}',
  'hba-load': 'fix the pg_hba.conf lines the server log names',
  'key-not-regular': '{file} is not a regular file: point ssl_key_file at the key file',
  'key-owner': 'chown postgres {file} (or root, with mode 0640)',
  'key-perms': 'chmod 0600 {file} (owner postgres), or 0640 owned by root with group postgres',
  'key-reload-passphrase':
    'the key needs a passphrase, which a reload does not ask for: set ssl_passphrase_command_supports_reload = on, or restart the server',
  'protocol-version': 'ssl_min/max_protocol_version take TLSv1, TLSv1.1, TLSv1.2 or TLSv1.3',
  'protocol-range': 'make ssl_min_protocol_version <= ssl_max_protocol_version',
  'tls13-ciphers':
    'ssl_tls13_ciphers names no TLS 1.3 suite: leave it empty, or list suites such as TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256',
  'ssl-ciphers': 'ssl_ciphers selects no cipher: use the default, HIGH:MEDIUM:+3DES:!aNULL',
  'ssl-groups': 'ssl_groups takes a colon list of OpenSSL group names, each once: the default is X25519:prime256v1',
  'ecdh-curve': 'ssl_ecdh_curve takes an OpenSSL curve short name: prime256v1, secp384r1 or secp521r1',
  'client-no-file': 'put {option:clientFile} at {file}',
  'client-no-access': 'the client cannot read {file} ({option:clientFile}): make it readable by the user running psql',
  'client-no-start-line': '{file} must hold PEM certificates (-----BEGIN CERTIFICATE-----); {option} must name that file',
  'client-asn1': 'a PEM block in {file} does not hold a certificate OpenSSL can read: export it again',
  'client-key-encrypted': 'the client key is encrypted: pass sslpassword=<passphrase>',
  'client-key-bad-passphrase': 'the client key is encrypted and sslpassword is not its passphrase: pass the right sslpassword',
  'client-key-mismatch': '{file} is not the key of the client certificate: point sslkey at the matching key',
  'root-missing': 'give the client the CA certificate that issued the server certificate: copy it to {file} or point sslrootcert at it',
  'root-missing-no-home':
    'give the client the CA certificate that issued the server certificate: point sslrootcert at it (libpq found no home directory for ~/.postgresql/root.crt)',
  'client-ee-key-small': "the client certificate's key ({file}) is below OpenSSL's security level {level}: reissue it with {keys:keys}",
  'client-ca-key-small':
    'a CA certificate after the client certificate in {file} has a key below security level {level}: reissue that CA with {keys:keys}, or leave it out of {file}',
  'client-key-missing': 'put the client key at {file} or set sslkey',
  'client-key-not-regular': '{file} is not a regular file: point sslkey at the client key file',
  'client-key-perms': 'chmod 0600 {file}',
  'send-intermediate':
    'the server does not send the intermediate "{issuer}" (in {source}) that issued "{subject}": append it to {certFile} after the leaf (the server sends that file whole, leaf first, then the intermediates); or else add it to the client\'s sslrootcert',
  'add-root': 'the client\'s sslrootcert does not hold the root "{issuer}" (in {source}): add it to sslrootcert',
  'server-ca-missing':
    "the client's root certificate file does not hold the CA that issued the server certificate (issuer {issuer:name}): if that CA is an intermediate, append it to {certFile} after the leaf so the server sends it; if it is the root, add it to sslrootcert",
  'client-ca-missing':
    'ssl_ca_file does not hold the CA that issued the client certificate (issuer {issuer:name}): add that CA to ssl_ca_file',
  'server-chain-no-root':
    "the chain stops at an intermediate: put the root CA (issuer {issuer:name}) in the client's sslrootcert; a trust store holding only an intermediate is not enough",
  'client-chain-no-root': "add the client CA's root (issuer {issuer:name}) to ssl_ca_file",
  'server-self-signed': 'the server certificate is self-signed: copy server.crt to the client and use it as sslrootcert',
  'client-self-signed': 'add the self-signed client certificate to ssl_ca_file',
  'server-root-in-chain': "put the root CA the server sends in the client's sslrootcert",
  'client-root-in-chain': "put the client's root CA in ssl_ca_file",
  'cert-expired': 'renew the expired {side:side} certificate ("{subject}" expired {notAfter})',
  'cert-expired-unknown': 'renew the expired {side:side} certificate (notAfter has passed)',
  'cert-not-yet-valid': 'the {side:side} certificate is not valid yet: check the clocks or reissue it with an earlier notBefore',
  'server-crl-missing':
    "with a CRL configured, every CA in the chain needs a CRL (CRL_CHECK_ALL): add the missing CA's CRL to sslcrl/sslcrldir, or remove the CRL setting",
  'client-crl-missing':
    "with ssl_crl_file/ssl_crl_dir set, every CA in the client chain needs a CRL: add the missing CRL (e.g. the root's) to ssl_crl_file",
  'cert-revoked': 'the {side:side} certificate is revoked: issue a new one',
  'ca-revoked':
    'the CA "{subject}" (depth {depth} of the {side:side} chain) is revoked by its issuer\'s CRL: every certificate it issued is refused with it; issue a new CA and reissue the {side:side} certificate under it',
  'crl-expired': 'publish a fresh CRL (its nextUpdate has passed)',
  'invalid-ca': "an intermediate in the {side:side} chain is not a CA: reissue it with basicConstraints CA:TRUE (openssl's v3_ca section)",
  'path-length': "a CA's pathLenConstraint is too small for this chain: reissue that CA with a larger pathlen or shorten the chain",
  'server-purpose': "the server certificate's extendedKeyUsage/keyUsage does not allow TLS server use: reissue with EKU serverAuth",
  'client-purpose': "the client certificate's extendedKeyUsage does not allow clientAuth: reissue it",
  'signature-failure':
    'a signature in the {side:side} chain does not verify: the certificate was not issued by the CA it names; reissue it',
  'ee-key-too-small': "the {side:side} certificate's key is below security level {level}: reissue it with {keys:keys}",
  'ca-key-too-small': 'a CA key is below security level {level}: reissue the CA with {keys:keys}',
  'ca-md-too-weak': 'a certificate is signed with SHA-1 or MD5, refused at security level {level}: reissue it with SHA-256',
  'chain-refused-at-handshake':
    'the server started, but @SECLEVEL={level} in ssl_ciphers, set after server.crt is loaded, refuses its chain on every handshake: lower @SECLEVEL in ssl_ciphers, or reissue the certificate and its CAs with {keys:keys}, signed with SHA-256',
  'tls-versions': 'make the client and server TLS version ranges overlap (ssl_min/max_protocol_version)',
  'hba-add-local':
    'add a line to pg_hba.conf: local {database} {user} <method> (a Unix-socket connection matches only "local" lines; host and hostssl lines are for TCP, which host=<name or address> would use)',
  'hba-add-hostssl': 'add a line to pg_hba.conf: hostssl {database} {user} {address}/32 <method>',
  'hba-add-host': 'add a line to pg_hba.conf: host {database} {user} {address}/32 <method> (or connect with SSL, if a hostssl line exists)',
  'hba-reject': 'the matching pg_hba.conf line is "reject": add an accepting line above it ({line})',
  'cert-store-missing': 'set ssl_ca_file in postgresql.conf to the CA that issues client certificates',
  'cert-required': 'give the client a certificate issued by a CA in ssl_ca_file (sslcert=..., sslkey=...)',
  'ident-add': 'add the line "{map} {osUser} {user}" to pg_ident.conf (map {map} has no entry for the OS user "{osUser}" as role "{user}")',
  'peer-mismatch':
    'peer authentication lets the OS user "{osUser}" in only as role "{osUser}": connect with user={osUser}, run psql as the OS user "{user}", or map it (map=m on the pg_hba.conf line, "m {osUser} {user}" in pg_ident.conf)',
  'cert-cn-mismatch':
    'the client certificate\'s CN is "{cn}" but the user is "{user}": connect as user={cn}, issue a certificate with CN={user}, or add a pg_ident.conf map (map=...)',
  'supply-password': 'supply a password (PGPASSWORD, ~/.pgpass or password=...)',
  'stat-ssl':
    'reissue the client certificate without the name attribute OpenSSL has no name for (its subject or issuer): PostgreSQL 15 cannot show that name in pg_stat_ssl and ends the session',
  'passfile-perms': 'chmod 0600 {file} (libpq ignores a password file that group or others can access)',
  'passfile-not-regular':
    '{file} is not a regular file: point passfile= or PGPASSFILE at the password file, or give the password (PGPASSWORD, password=)',
  'passfile-unreadable': "the client cannot read {file}: make it the client user's own, mode 0600",
  'passfile-create': 'create {file} (mode 0600) with the line "{line}", or give the password (PGPASSWORD, password=)',
  'passfile-add': 'add a line "{line}" to {file} (mode 0600), or give the password (PGPASSWORD, password=)',
  'password-mismatch-passfile':
    '{file} line {lineNo} has a password the server refuses for "{user}": correct that line (or the role\'s password: ALTER ROLE ... PASSWORD)',
  'password-mismatch': 'the server refuses the password given for "{user}": give the role\'s password (or set it: ALTER ROLE ... PASSWORD)',
  'role-no-password': 'role "{user}" has no password: set one (ALTER ROLE "{user}" PASSWORD \'...\')',
  'role-md5':
    'role "{user}" has an MD5 password and the pg_hba.conf line wants scram-sha-256: set the password again with password_encryption = \'scram-sha-256\' (ALTER ROLE "{user}" PASSWORD \'...\'), or use md5 on that line',
  conninfo: 'correct the connection string: {message}',
  'nothing-listens': 'nothing listens there: the server listens on {places*, and on }',
  'listen-tcp': '{addresses} port {port}',
  'listen-tcp-none': '(no TCP address) port {port}',
  'listen-socket': 'the Unix socket {paths*, } (connect with host=<that directory> port={port})',
  'listen-sockets': 'the Unix sockets {paths*, } (connect with host=<that directory> port={port})',
  'listen-no-socket': 'no Unix socket (unix_socket_directories is empty)',
  requirepeer: 'the server runs as the OS user "{serverUser}": set requirepeer={serverUser}, or leave requirepeer out',
  'gss-socket':
    'GSSAPI encryption cannot run over a Unix socket: use gssencmode=prefer or disable, or connect over TCP (host=<name or address>)',
  'direct-tls':
    'PostgreSQL {version} does not speak direct TLS (17+): leave out sslnegotiation=direct (the default, postgres, sends an SSLRequest first)',
  'ssl-off': 'set ssl = on (with ssl_cert_file and ssl_key_file) in postgresql.conf, or use a weaker sslmode',
  'host-give': 'give a host name to verify against (host=...)',
  'host-connect-or-san':
    'connect with host={name} (a name in the certificate), or reissue the server certificate with subjectAltName {san}',
  'host-san': 'reissue the server certificate with subjectAltName {san}',
};

// No final 。: like the English, and like PostgreSQL's own Japanese messages, so a
// configuration line at the end stays clean to copy.
const JA: Record<FixKind, string> = {
  'start-no-file': '{setting:what}を {file} に置いてください（{setting}、データディレクトリからの相対パス）',
  'start-no-access-key':
    'postgres ユーザが {file} を読めません。所有者を postgres にする（0600）か、postgres のグループから読めるようにしてください（0640）',
  'start-no-access': 'postgres ユーザが {file} を読めません。postgres から読めるようにしてください',
  'start-no-start-line':
    '{file} には PEM 形式の証明書（-----BEGIN CERTIFICATE-----）をリーフ証明書から順に入れてください。{setting} にはそのファイルを指定します',
  'start-asn1':
    '{file} 内の PEM ブロックは OpenSSL が読める証明書ではありません。エクスポートし直してください（openssl x509 -in <file> -out {file}）',
  'start-no-cert-or-crl': '{file} には PEM 形式の証明書も CRL もありません。{setting} には{setting:what}のファイルを指定してください',
  'start-key-encrypted':
    "秘密鍵が暗号化されています。ssl_passphrase_command を設定する（例：'echo <passphrase>'）か、秘密鍵を暗号化せずに保存してください（openssl pkey -in key -out key.plain）",
  'start-key-bad-passphrase':
    '秘密鍵が暗号化されていて、パスフレーズが正しくありません。ssl_passphrase_command を直すか、秘密鍵を暗号化せずに保存してください（openssl pkey -in key -out key.plain）',
  'start-key-mismatch': '{file} は ssl_cert_file の最初の証明書の秘密鍵ではありません。その証明書の発行に使った秘密鍵を使ってください',
  'pem-bad-base64':
    '{file} 内の PEM ブロックの base64 が壊れています（A-Z a-z 0-9 + / = 以外の文字があるか、行が途中で切れています）。元のファイルからコピーし直してください',
  'pem-not-key': '{file} には PEM 形式の秘密鍵（-----BEGIN PRIVATE KEY-----）を入れてください',
  'md-below-level':
    '{file} 内の証明書が、セキュリティレベル {level} に満たないダイジェスト（SHA-1、MD5）で署名されています。SHA-256 で署名して再発行してください',
  'start-ee-key-small':
    'サーバ証明書の鍵（{file}）が OpenSSL のセキュリティレベル {level} を満たしません。{keys:keys}で証明書を再発行してください',
  'start-ca-key-small':
    '{file} のリーフ証明書の後にある認証局の証明書の鍵がセキュリティレベル {level} を満たしません。その認証局を {keys:keys}で再発行するか、{file} から外してください',
  'hba-load': 'サーバログに示された pg_hba.conf の行を修正してください',
  'key-not-regular': '{file} は通常のファイルではありません。ssl_key_file には秘密鍵のファイルを指定してください',
  'key-owner': 'chown postgres {file} を実行してください（または所有者を root にして、モードを 0640 に）',
  'key-perms':
    'chmod 0600 {file} を実行してください（所有者は postgres）。または、所有者を root、グループを postgres にしてモードを 0640 にします',
  'key-reload-passphrase':
    '秘密鍵にはパスフレーズが必要ですが、リロードではパスフレーズを尋ねません。ssl_passphrase_command_supports_reload = on を設定するか、サーバを再起動してください',
  'protocol-version': 'ssl_min/max_protocol_version に指定できるのは TLSv1、TLSv1.1、TLSv1.2、TLSv1.3 です',
  'protocol-range': 'ssl_min_protocol_version <= ssl_max_protocol_version となるようにしてください',
  'tls13-ciphers':
    'ssl_tls13_ciphers で選ばれる TLS 1.3 の暗号スイートがありません。空にするか、TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256 のようにスイートを列挙してください',
  'ssl-ciphers': 'ssl_ciphers で選ばれる暗号がありません。デフォルトの HIGH:MEDIUM:+3DES:!aNULL を使ってください',
  'ssl-groups': 'ssl_groups には OpenSSL のグループ名を、それぞれ 1 回ずつコロン区切りで指定します。デフォルトは X25519:prime256v1 です',
  'ecdh-curve': 'ssl_ecdh_curve には OpenSSL の曲線の短縮名（prime256v1、secp384r1、secp521r1）を指定します',
  'client-no-file': '{option:clientFile}を {file} に置いてください',
  'client-no-access': 'クライアントが{option:clientFile}の {file} を読めません。psql を実行するユーザから読めるようにしてください',
  'client-no-start-line':
    '{file} には PEM 形式の証明書（-----BEGIN CERTIFICATE-----）を入れてください。{option} にはそのファイルを指定します',
  'client-asn1': '{file} 内の PEM ブロックは OpenSSL が読める証明書ではありません。エクスポートし直してください',
  'client-key-encrypted': 'クライアントの秘密鍵が暗号化されています。sslpassword=<passphrase> を指定してください',
  'client-key-bad-passphrase':
    'クライアントの秘密鍵が暗号化されていて、sslpassword がそのパスフレーズではありません。正しい sslpassword を指定してください',
  'client-key-mismatch': '{file} はクライアント証明書の秘密鍵ではありません。sslkey には対応する秘密鍵を指定してください',
  'root-missing':
    'サーバ証明書を発行した認証局の証明書をクライアントに置いてください。{file} にコピーするか、sslrootcert でそのファイルを指定します',
  'root-missing-no-home':
    'サーバ証明書を発行した認証局の証明書をクライアントに置き、sslrootcert でそのファイルを指定してください（libpq はホームディレクトリが見つからず、~/.postgresql/root.crt を探せません）',
  'client-ee-key-small':
    'クライアント証明書の鍵（{file}）が OpenSSL のセキュリティレベル {level} を満たしません。{keys:keys}で再発行してください',
  'client-ca-key-small':
    '{file} のクライアント証明書の後にある認証局の証明書の鍵がセキュリティレベル {level} を満たしません。その認証局を {keys:keys}で再発行するか、{file} から外してください',
  'client-key-missing': 'クライアントの秘密鍵を {file} に置くか、sslkey を設定してください',
  'client-key-not-regular': '{file} は通常のファイルではありません。sslkey にはクライアントの秘密鍵のファイルを指定してください',
  'client-key-perms': 'chmod 0600 {file} を実行してください',
  'send-intermediate':
    'サーバは "{subject}" を発行した中間証明書 "{issuer}"（{source} にあります）を送っていません。{certFile} のリーフ証明書の後に追加してください（サーバはこのファイルをそのまま、リーフ証明書、中間証明書の順に送ります）。または、クライアントの sslrootcert に追加してください',
  'add-root': 'クライアントの sslrootcert にルート証明書 "{issuer}"（{source} にあります）がありません。sslrootcert に追加してください',
  'server-ca-missing':
    'クライアントのルート証明書ファイルに、サーバ証明書を発行した認証局（発行者 {issuer:name}）がありません。その認証局が中間認証局なら、サーバが送るように {certFile} のリーフ証明書の後に追加してください。ルート認証局なら sslrootcert に追加してください',
  'client-ca-missing':
    'ssl_ca_file に、クライアント証明書を発行した認証局（発行者 {issuer:name}）がありません。その認証局の証明書を ssl_ca_file に追加してください',
  'server-chain-no-root':
    'チェーンが中間証明書で止まっています。ルート認証局の証明書（発行者 {issuer:name}）をクライアントの sslrootcert に入れてください。中間証明書だけのトラストストアでは足りません',
  'client-chain-no-root': 'クライアント証明書の認証局のルート証明書（発行者 {issuer:name}）を ssl_ca_file に追加してください',
  'server-self-signed': 'サーバ証明書は自己署名証明書です。server.crt をクライアントにコピーして、sslrootcert として使ってください',
  'client-self-signed': '自己署名のクライアント証明書を ssl_ca_file に追加してください',
  'server-root-in-chain': 'サーバが送るルート認証局の証明書を、クライアントの sslrootcert に入れてください',
  'client-root-in-chain': 'クライアント証明書のルート認証局の証明書を ssl_ca_file に入れてください',
  'cert-expired': '期限切れの{side:side}証明書を更新してください（"{subject}" の有効期限は {notAfter}）',
  'cert-expired-unknown': '期限切れの{side:side}証明書を更新してください（notAfter を過ぎています）',
  'cert-not-yet-valid': '{side:side}証明書はまだ有効期間前です。時計を確認するか、notBefore を早めて再発行してください',
  'server-crl-missing':
    'CRL を設定すると、チェーンのすべての認証局に CRL が必要です（CRL_CHECK_ALL）。足りない認証局の CRL を sslcrl/sslcrldir に追加するか、CRL の設定を外してください',
  'client-crl-missing':
    'ssl_crl_file/ssl_crl_dir を設定すると、クライアント証明書のチェーンのすべての認証局に CRL が必要です。足りない CRL（たとえばルート認証局の CRL）を ssl_crl_file に追加してください',
  'cert-revoked': '{side:side}証明書は失効しています。新しい証明書を発行してください',
  'ca-revoked':
    '認証局 "{subject}"（{side:side}証明書のチェーンの深さ {depth}）は発行者の CRL で失効しています。この認証局が発行した証明書はすべて拒否されます。新しい認証局を作り、その下で{side:side}証明書を再発行してください',
  'crl-expired': '新しい CRL を発行してください（nextUpdate を過ぎています）',
  'invalid-ca':
    '{side:side}証明書のチェーンにある中間証明書が CA ではありません。basicConstraints CA:TRUE 付きで再発行してください（openssl の v3_ca セクション）',
  'path-length':
    '認証局の pathLenConstraint がこのチェーンには小さすぎます。より大きい pathlen でその認証局を再発行するか、チェーンを短くしてください',
  'server-purpose':
    'サーバ証明書の extendedKeyUsage/keyUsage が TLS サーバとしての用途を許していません。EKU serverAuth 付きで再発行してください',
  'client-purpose': 'クライアント証明書の extendedKeyUsage が clientAuth を許していません。再発行してください',
  'signature-failure':
    '{side:side}証明書のチェーンに検証できない署名があります。証明書は記載された認証局が発行したものではありません。再発行してください',
  'ee-key-too-small': '{side:side}証明書の鍵がセキュリティレベル {level} を満たしません。{keys:keys}で再発行してください',
  'ca-key-too-small': '認証局の鍵がセキュリティレベル {level} を満たしません。{keys:keys}で認証局を再発行してください',
  'ca-md-too-weak': '証明書が SHA-1 または MD5 で署名されていて、セキュリティレベル {level} では拒否されます。SHA-256 で再発行してください',
  'chain-refused-at-handshake':
    'サーバは起動しますが、server.crt の読み込み後に ssl_ciphers の @SECLEVEL={level} が設定されるため、ハンドシェイクのたびにそのチェーンが拒否されます。ssl_ciphers の @SECLEVEL を下げるか、証明書とその認証局を {keys:keys}で SHA-256 により署名して再発行してください',
  'tls-versions': 'クライアントとサーバの TLS バージョンの範囲が重なるようにしてください（ssl_min/max_protocol_version）',
  'hba-add-local':
    'pg_hba.conf に次の行を追加してください：local {database} {user} <method>（Unix ソケット経由の接続に一致するのは "local" 行だけです。host 行と hostssl 行は TCP 用で、host=<name or address> を指定すると TCP で接続します）',
  'hba-add-hostssl': 'pg_hba.conf に次の行を追加してください：hostssl {database} {user} {address}/32 <method>',
  'hba-add-host':
    'pg_hba.conf に次の行を追加してください：host {database} {user} {address}/32 <method>（または、hostssl 行があるなら SSL で接続してください）',
  'hba-reject': '一致した pg_hba.conf の行は "reject" です。その上に接続を許可する行を追加してください（{line}）',
  'cert-store-missing': 'postgresql.conf の ssl_ca_file に、クライアント証明書を発行する認証局の証明書を設定してください',
  'cert-required': 'ssl_ca_file の認証局が発行したクライアント証明書をクライアントに置いてください（sslcert=...、sslkey=...）',
  'ident-add':
    'pg_ident.conf に "{map} {osUser} {user}" の行を追加してください（マップ {map} には OS ユーザ "{osUser}" をロール "{user}" に対応付けるエントリがありません）',
  'peer-mismatch':
    'peer 認証では、OS ユーザ "{osUser}" はロール "{osUser}" としてしか接続できません。user={osUser} で接続するか、OS ユーザ "{user}" として psql を実行するか、ユーザ名マップを使ってください（pg_hba.conf の行に map=m、pg_ident.conf に "m {osUser} {user}"）',
  'cert-cn-mismatch':
    'クライアント証明書の CN は "{cn}" ですが、ユーザは "{user}" です。user={cn} で接続するか、CN={user} の証明書を発行するか、pg_ident.conf のユーザ名マップ（map=...）を追加してください',
  'supply-password': 'パスワードを指定してください（PGPASSWORD、~/.pgpass、password=...）',
  'stat-ssl':
    'クライアント証明書のサブジェクトか発行者に、OpenSSL に名前のない属性があります。その属性を除いて証明書を再発行してください。PostgreSQL 15 はその名前を pg_stat_ssl に表示できず、セッションを終了します',
  'passfile-perms': 'chmod 0600 {file} を実行してください（libpq はグループや他のユーザがアクセスできるパスワードファイルを無視します）',
  'passfile-not-regular':
    '{file} は通常のファイルではありません。passfile= か PGPASSFILE でパスワードファイルを指定するか、パスワードを指定してください（PGPASSWORD、password=）',
  'passfile-unreadable': 'クライアントが {file} を読めません。クライアントのユーザの所有にして、モードを 0600 にしてください',
  'passfile-create': '{file} を作成して（モード 0600）"{line}" の行を書くか、パスワードを指定してください（PGPASSWORD、password=）',
  'passfile-add': '{file}（モード 0600）に "{line}" の行を追加するか、パスワードを指定してください（PGPASSWORD、password=）',
  'password-mismatch-passfile':
    '{file} の {lineNo} 行目のパスワードは、"{user}" のパスワードとしてサーバに拒否されます。その行を修正してください（またはロールのパスワードを変更：ALTER ROLE ... PASSWORD）',
  'password-mismatch':
    'サーバは "{user}" に指定されたパスワードを拒否しています。ロールのパスワードを指定してください（または設定し直す：ALTER ROLE ... PASSWORD）',
  'role-no-password': 'ロール "{user}" にはパスワードがありません。設定してください（ALTER ROLE "{user}" PASSWORD \'...\'）',
  'role-md5':
    'ロール "{user}" のパスワードは MD5 で、pg_hba.conf の行は scram-sha-256 を要求しています。password_encryption = \'scram-sha-256\' でパスワードを設定し直すか（ALTER ROLE "{user}" PASSWORD \'...\'）、その行を md5 にしてください',
  conninfo: '接続文字列を修正してください：{message}',
  'nothing-listens': 'そこでは何も待ち受けていません。サーバの待ち受け先：{places*、および }',
  'listen-tcp': '{addresses} のポート {port}',
  'listen-tcp-none': '（TCP アドレスなし）のポート {port}',
  'listen-socket': 'Unix ソケット {paths*, }（host=<そのディレクトリ> port={port} で接続します）',
  'listen-sockets': 'Unix ソケット {paths*, }（host=<そのディレクトリ> port={port} で接続します）',
  'listen-no-socket': 'Unix ソケットなし（unix_socket_directories が空です）',
  requirepeer: 'サーバは OS ユーザ "{serverUser}" で動いています。requirepeer={serverUser} にするか、requirepeer を外してください',
  'gss-socket':
    'GSSAPI 暗号化は Unix ソケットでは使えません。gssencmode=prefer か disable にするか、TCP で接続してください（host=<name or address>）',
  'direct-tls':
    'PostgreSQL {version} は直接 TLS 接続（17 以降）に対応していません。sslnegotiation=direct を外してください（デフォルトの postgres は最初に SSLRequest を送ります）',
  'ssl-off': 'postgresql.conf で ssl = on を設定する（ssl_cert_file と ssl_key_file も）か、より弱い sslmode を使ってください',
  'host-give': '検証に使うホスト名を指定してください（host=...）',
  'host-connect-or-san': 'host={name}（証明書にある名前）で接続するか、subjectAltName {san} を含めてサーバ証明書を再発行してください',
  'host-san': 'subjectAltName {san} を含めてサーバ証明書を再発行してください',
};

export const FIX_TEXT: Record<FixLang, Record<FixKind, string>> = { en: EN, ja: JA };

/**
 * what: the file a server setting names; keys: the keys that meet a security level 0..5
 * (minbits 80, 112, 128, 192, 256); clientFile: the file a libpq option names; side: whose
 * certificate; name: a distinguished name, quoted ('' when there is none).
 */
export const TERMS: Record<FixLang, Record<TermName, Record<string, string>>> = {
  en: {
    what: {
      ssl_cert_file: 'the server certificate',
      ssl_key_file: "the server's private key",
      ssl_ca_file: 'the CA certificate(s) that issue client certificates',
      ssl_crl_file: 'the CRL(s) of those CAs',
      ssl_crl_dir: 'the CRL(s) of those CAs',
    },
    keys: {
      0: 'any key',
      1: 'a 1024-bit RSA or P-256 key',
      2: 'a 2048-bit RSA or P-256 key',
      3: 'a 3072-bit RSA or P-256 key',
      4: 'a 7680-bit RSA or P-384 key',
      5: 'a 15360-bit RSA or P-521 key',
    },
    clientFile: {
      sslrootcert: 'the root certificate file (sslrootcert)',
      sslcert: 'the client certificate (sslcert)',
      sslkey: 'the client key (sslkey)',
    },
    side: { server: 'server', client: 'client' },
    name: { '': 'unknown', '*': '"{}"' },
  },
  ja: {
    what: {
      ssl_cert_file: 'サーバ証明書',
      ssl_key_file: 'サーバの秘密鍵',
      ssl_ca_file: 'クライアント証明書を発行する認証局の証明書',
      ssl_crl_file: 'クライアント証明書を発行する認証局の CRL',
      ssl_crl_dir: 'クライアント証明書を発行する認証局の CRL',
    },
    keys: {
      0: '任意の鍵',
      1: '1024 ビットの RSA 鍵か P-256 の鍵',
      2: '2048 ビットの RSA 鍵か P-256 の鍵',
      3: '3072 ビットの RSA 鍵か P-256 の鍵',
      4: '7680 ビットの RSA 鍵か P-384 の鍵',
      5: '15360 ビットの RSA 鍵か P-521 の鍵',
    },
    clientFile: {
      sslrootcert: 'ルート証明書ファイル（sslrootcert）',
      sslcert: 'クライアント証明書（sslcert）',
      sslkey: 'クライアントの秘密鍵（sslkey）',
    },
    side: { server: 'サーバ', client: 'クライアント' },
    name: { '': '不明', '*': '"{}"' },
  },
};
