// The SSL part of a connection attempt, after the server answered 'S': libpq's
// initialize_SSL (client/libpq-ssl.ts), the TLS 1.3 handshake in memory with both sides'
// real certificates and both certificate checks (tls-handshake.ts), then verify-full's
// host-name check (libpq checks the name after the handshake: host, never hostaddr).

import { asPgMajor, libpqVerifyHost } from '../../path/index.js';
import { formatNameOneline } from '../../x509/index.js';
import { libpqSslOptions, prepareClientTls, type ClientTls } from '../client/libpq-ssl.js';
import type { ConnTarget, ResolvedConninfo } from '../conninfo/resolve.js';
import { certificatesIn, SECURITY_REASON } from '../files.js';
import { fmt, LIBPQ, say, SERVER, type MessageDef } from '../messages.js';
import { clientCertErrorDetail } from '../server/cert-errdetail.js';
import type { ServerTls, TlsVersionName } from '../server/startup.js';
import { tls12Cipher } from '../server/stat-ssl.js';
import { runPgHandshake, type HandshakeOutcome } from '../tls-handshake.js';
import { keylogOpenError } from '../client/keylog.js';
import { directAlpnRefusal, libpqAlpn, selectAlpn, serverAlpn } from '../alpn.js';
import { clientEofMessage, serverEofMessage } from './eof.js';
import { psqlHost } from './reach.js';
import type { Connection, PhaseEnd, SimStep, Transport } from './types.js';

/** OpenSSL's default password callback prompts twice (on stderr, without a terminal) for an encrypted key. */
const PASS_PHRASE_PROMPTS = 'Enter PEM pass phrase:\n'.repeat(2);

/** libpq's initialize_SSL: the root file, CRLs, the client certificate and key. */
export function clientTlsPhase(c: Connection, n: number): PhaseEnd & { tls?: ClientTls; prompts?: string } {
  const { input, libpqVersion, clientUser, securityLevel, opensslVersion } = c.run;
  const prep = prepareClientTls(libpqSslOptions(c.conn, c.sslmode), {
    fs: input.fs,
    home: input.env?.HOME,
    user: clientUser,
    pgVersion: libpqVersion,
    sslCertFile: input.env?.SSL_CERT_FILE,
    sslCertDir: input.env?.SSL_CERT_DIR,
    securityLevel,
    opensslVersion,
  });
  if (prep.ok) return { steps: [describeClientTls(prep.tls, n)], log: [], tls: prep.tls };
  const k = prep.cause;
  const encryptedKey = !c.conn.values.sslpassword && k.kind === 'file' && k.option === 'sslkey' && k.why === 'processingError';
  return {
    steps: [{ step: 'client-ssl-setup', who: 'client', attempt: n, result: 'fail', detail: prep.message }],
    // libpq closes the socket before the ClientHello: the server sees EOF
    log: [{ level: 'LOG', message: serverEofMessage(c) }],
    failure: {
      stage: 'client-setup',
      message: say(c.lang.client, prep.said),
      facts: { kind: 'client-setup', message: prep.message, cause: prep.cause },
    },
    prompts: encryptedKey ? PASS_PHRASE_PROMPTS : undefined,
  };
}

/** SNI is sent for libpq's host unless it is an IP literal (fe-secure-openssl.c), whatever it looks like. */
function sniFor(t: ConnTarget, values: ResolvedConninfo['values'], pgWrapper: boolean): string | undefined {
  const host = psqlHost(t, pgWrapper);
  if (values.sslsni === '0' || !host || t.type === 'socket') return undefined;
  return /^[0-9.]+$/.test(host) || host.includes(':') ? undefined : host;
}

/** The handshake and both chain checks; on failure the server's LOG and libpq's `SSL error:` line. */
export function handshakePhase(c: Connection, n: number, clientTls: ClientTls): PhaseEnd & { handshake: HandshakeOutcome } {
  const { input, pgVersion, at, opensslVersion } = c.run;
  const server = c.server.tls as ServerTls;
  const settings = c.server.settings;
  const hs = runPgHandshake({
    client: clientTls,
    server,
    serverName: sniFor(c.target, c.conn.values, c.run.pgWrapper),
    clientMinVersion: (c.conn.sslMinProtocolVersion || 'TLSv1.2') as TlsVersionName,
    clientMaxVersion: (c.conn.sslMaxProtocolVersion || 'TLSv1.3') as TlsVersionName,
    at,
    opensslVersion,
    seed: `${input.conninfo}|${n}`,
    alpn: { client: libpqAlpn(c.run.libpqVersion), server: serverAlpn(pgVersion) },
  });
  const steps = describeHandshake(hs, n);
  const warnings = keyLogPhase(c, n, hs, steps);
  if (hs.ok) return { steps, log: [], handshake: hs, warnings, ...directAlpnPhase(c, n, hs, steps) };
  const noProtocol = hs.versionFailure === 'no-overlap';
  const log = [
    {
      level: 'LOG' as const,
      message: hs.serverReason === undefined || hs.serverEof ? serverEofMessage(c) : c.lang.server(SERVER.acceptSsl, hs.serverReason),
      // 16+: which client certificate failed verification, and why
      detail: clientCertErrorDetail(hs.clientVerify, pgVersion, opensslVersion),
      // be-secure-openssl.c: the server's configured range, OpenSSL's limits when unset
      hint: noProtocol
        ? c.lang.server(SERVER.acceptSslProtoHint, settings.ssl.minProtocol || 'TLSv1', settings.ssl.maxProtocol || 'TLSv1.3')
        : undefined,
    },
  ];
  // libpq's own words translated, OpenSSL's reason as OpenSSL prints it (English)
  let printed = hs.clientSslError !== undefined ? c.lang.client(LIBPQ.sslError, hs.clientSslError) : clientEofMessage(c);
  if (noProtocol && hs.clientMessage) {
    const hint = [c.conn.sslMinProtocolVersion || 'TLSv1.2', c.conn.sslMaxProtocolVersion || 'TLSv1.3'];
    hs.clientMessage += `\n${fmt(LIBPQ.protoHint, ...hint)}`;
    printed += `\n${c.lang.client(LIBPQ.protoHint, ...hint)}`;
  }
  // TLS 1.3: the client has finished when the server rejects its certificate, so the alert
  // arrives after the handshake, where prefer no longer retries in plaintext
  const late = !hs.tls12 && hs.clientVerify !== undefined && !hs.clientVerify.ok;
  return {
    steps,
    log,
    handshake: hs,
    warnings,
    failure: {
      stage: late ? 'alert-after-handshake' : 'handshake',
      message: printed,
      facts: {
        kind: 'handshake',
        handshake: hs,
        clientTls,
        certFile: server.certFile,
        serverHas: [
          ...server.caCerts.map((cert) => ({ cert, source: settings.ssl.caFile })),
          ...certificatesIn(input.fs, settings.dataDirectory || input.pgdata),
        ],
      },
    },
  };
}

/**
 * libpq's check of the server's ALPN answer on a direct connection (open_client_SSL, 17+).
 * A 17+ server always selects postgresql (only 17+ gets this far), so this holds for what
 * stands in front of one; libpq closes the connection before the startup packet, and the
 * server, which reads EOF where that packet should be, logs nothing.
 */
function directAlpnPhase(c: Connection, n: number, hs: HandshakeOutcome, steps: SimStep[]): Pick<PhaseEnd, 'failure'> {
  if (!(c.run.libpqVersion >= 17 && c.conn.sslnegotiation === 'direct')) return {};
  const selected = hs.tls12 ? selectAlpn(libpqAlpn(c.run.libpqVersion), serverAlpn(c.run.pgVersion)) : hs.negotiated?.alpn;
  const refused = directAlpnRefusal(selected);
  steps.push({
    step: 'alpn',
    who: 'client',
    attempt: n,
    result: refused ? 'fail' : 'ok',
    detail: refused ? fmt(refused) : `the server selected ALPN ${selected}`,
  });
  return refused ? { failure: { stage: 'handshake', message: c.lang.client(refused) } } : {};
}

/**
 * 18's sslkeylogfile: libpq appends each TLS secret to the file; when it cannot open it, it
 * warns once per secret and goes on. Adds its step; returns the warnings.
 */
function keyLogPhase(c: Connection, n: number, hs: HandshakeOutcome, steps: SimStep[]): string[] {
  const keylog = c.run.libpqVersion >= 18 ? c.conn.values.sslkeylogfile : undefined;
  if (!keylog) return [];
  const why = keylogOpenError(c.run.input.fs, keylog);
  steps.push({
    step: 'ssl-key-log',
    who: 'client',
    attempt: n,
    result: why ? 'fail' : 'ok',
    detail: why
      ? `sslkeylogfile ${keylog}: ${why}: libpq warns once per secret (${hs.keylog.length}) and goes on`
      : `libpq appends ${hs.keylog.length} key log line(s) to ${keylog}`,
  });
  return why ? hs.keylog.map(() => c.lang.client(LIBPQ.keylogOpen, keylog, why)) : [];
}

/** path/hostname.ts's messages as libpq's table entries, to translate them */
const HOST_MESSAGE_DEFS: Record<string, MessageDef> = {
  noName: LIBPQ.noNameInCert,
  one: LIBPQ.nameMismatch1,
  manyOne: LIBPQ.nameMismatchN1,
  manyMore: LIBPQ.nameMismatchN,
  noHost: LIBPQ.hostNameMissing,
};

/** verify-full: the server certificate must name libpq's host (pq_verify_peer_name_matches_certificate). */
export function hostNamePhase(c: Connection, n: number, hs: HandshakeOutcome): PhaseEnd {
  if (c.sslmode !== 'verify-full') return { steps: [], log: [] };
  // hostaddr without host: psql's pg_wrapper gives libpq the socket directory as host
  const host = psqlHost(c.target, c.run.pgWrapper) ?? '';
  if (!host) {
    const facts = { kind: 'host-name' as const, message: LIBPQ.hostNameMissing.format };
    return { steps: [], log: [], failure: { stage: 'host-name', message: c.lang.client(LIBPQ.hostNameMissing), facts } };
  }
  const hr = libpqVerifyHost(hs.serverChain[0], host, asPgMajor(c.run.libpqVersion));
  const steps: SimStep[] = [
    {
      step: 'host-name',
      who: 'client',
      attempt: n,
      result: hr.ok ? 'ok' : 'fail',
      detail: hr.ok ? `"${host}" matches the certificate (${hr.namesExamined} name(s) examined)` : hr.message!,
    },
  ];
  if (hr.ok) return { steps, log: [] };
  return {
    steps,
    log: [],
    failure: {
      stage: 'host-name',
      message: hr.why ? c.lang.client(HOST_MESSAGE_DEFS[hr.why.id] ?? hr.message!, ...hr.why.args) : hr.message,
      facts: { kind: 'host-name', message: hr.message!, host, cert: hs.serverChain[0] },
    },
  };
}

/** What the startup packet travels over after a successful handshake. */
export function tlsTransport(c: Connection, clientTls: ClientTls, hs: HandshakeOutcome): Transport {
  const server = c.server.tls as ServerTls;
  return {
    ssl: true,
    peerCert: hs.peerCert,
    certSent: server.requestClientCert && clientTls.certChain.length > 0,
    tlsInfo: hs.negotiated
      ? { protocol: 'TLSv1.3', cipher: hs.negotiated.cipherSuite, bits: hs.negotiated.bits }
      : { protocol: 'TLSv1.2', ...tls12Cipher(server.key) },
  };
}

function describeClientTls(tls: ClientTls, n: number): SimStep {
  return {
    step: 'client-ssl-setup',
    who: 'client',
    attempt: n,
    result: 'ok',
    detail: [
      tls.verifyPeer
        ? `verifies the server against ${tls.rootFile === 'system' ? "OpenSSL's default trust store (sslrootcert=system)" : tls.rootFile} (${tls.trusted.length} certificate(s))`
        : 'no root certificate file: the server certificate is not verified',
      tls.crlCheckAll ? `CRL checks on (${tls.crls.length} CRL(s))` : undefined,
      tls.certChain.length
        ? `client certificate ${formatNameOneline(tls.certChain[0].subject)} from ${tls.certFile}`
        : 'no client certificate',
    ]
      .filter(Boolean)
      .join('; '),
  };
}

function describeHandshake(hs: HandshakeOutcome, n: number): SimStep[] {
  const chain = hs.serverChain.map((c) => formatNameOneline(c.subject)).join(' <- ');
  const refused = hs.serverChainRefused;
  const steps: SimStep[] = [
    refused
      ? {
          step: 'server-certificate',
          who: 'server',
          attempt: n,
          result: 'fail',
          detail: `not sent: ${hs.serverChain.length} certificate(s) (${chain}) fall below security level ${refused.level} (${SECURITY_REASON[refused.failure]}), the level ssl_ciphers set after server.crt was loaded at the one before`,
        }
      : {
          step: 'server-certificate',
          who: 'server',
          attempt: n,
          result: 'info',
          detail: `sent ${hs.serverChain.length} certificate(s): ${chain}`,
        },
  ];
  if (hs.serverVerify) {
    const e = hs.serverVerify.error;
    steps.push({
      step: 'verify-server-chain',
      who: 'client',
      attempt: n,
      result: hs.serverVerify.ok ? 'ok' : 'fail',
      detail: hs.serverVerify.ok
        ? `chain of ${hs.serverVerify.chain.length} verified (purpose sslserver)`
        : `error ${e!.code} at depth ${e!.depth}: ${e!.message}`,
    });
  }
  if (hs.clientVerify) {
    const e = hs.clientVerify.error;
    steps.push({
      step: 'verify-client-chain',
      who: 'server',
      attempt: n,
      result: hs.clientVerify.ok ? 'ok' : 'fail',
      detail: hs.clientVerify.ok ? `client chain verified (purpose sslclient)` : `error ${e!.code} at depth ${e!.depth}: ${e!.message}`,
    });
  }
  steps.push({
    step: 'tls-handshake',
    who: 'both',
    attempt: n,
    result: hs.ok ? 'ok' : 'fail',
    detail: hs.ok
      ? hs.negotiated
        ? `TLSv1.3 ${hs.negotiated.cipherSuite}, ${hs.negotiated.group}${hs.negotiated.helloRetryRequest ? ` after a HelloRetryRequest (${hs.groupsSource} allows no group of libpq's key share)` : ''}, server signature ${hs.negotiated.peerSignatureScheme ?? '?'}${hs.negotiated.alpn ? `, ALPN ${hs.negotiated.alpn}` : ''}${hs.negotiated.clientCertificateRequested ? ', client certificate requested' : ''}`
        : 'TLSv1.2 would be negotiated (certificate checks applied; no TLS 1.2 handshake is run)'
      : `${hs.clientMessage ?? ''}${hs.serverReason ? ` / server: ${hs.serverReason}` : ''}`,
  });
  return steps;
}
