// Property expectations of a server setup, judged on what the postmaster loaded (facts.ts):
// the protocol floor, the authentication methods per pg_hba.conf connection type, client
// certificates on hostssl lines, certificate lifetime left, key sizes and algorithms, SHA-1
// signatures, the names clients use in the server certificate's subjectAltName, CRL
// freshness. Each answer says what was found and blames the line that decides it.

import { asPgMajor, libpqVerifyHost } from '../path/index.js';
import { OID } from '../der/oids.js';
import { formatNameOneline, type Certificate } from '../x509/index.js';
import { hbaBlame, settingBlame, type Blame, type ServerFacts } from './facts.js';
import type { PropertyName, ServerSpec } from './spec.js';

export interface PropertyVerdict {
  ok: boolean;
  /** what was found (on failure: every offender) */
  actual: string;
  blame?: Blame;
  fix?: string;
}

const DAY = 86_400_000;
const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
const SHA1 = new Set([OID.sha1WithRSAEncryption, '1.2.840.10045.4.1', '1.2.840.10040.4.3']);
const subject = (c: Certificate) => formatNameOneline(c.subject);

function keyKind(c: Certificate): string {
  const k = c.publicKey;
  return k.kind === 'rsa' && k.pss ? 'rsa-pss' : k.kind;
}

type Check = (f: ServerFacts, value: unknown, server: ServerSpec, at: Date) => PropertyVerdict;

function certs(f: ServerFacts): { cert: Certificate; setting: string }[] {
  const tls = f.state?.tls;
  if (!tls) return [];
  return [
    ...tls.chain.map((c) => ({ cert: c, setting: 'ssl_cert_file' })),
    ...tls.caCerts.map((c) => ({ cert: c, setting: 'ssl_ca_file' })),
  ];
}

const noTls = (f: ServerFacts): PropertyVerdict => ({
  ok: false,
  actual: 'ssl is off: no certificates loaded',
  blame: settingBlame(f, 'ssl'),
});

const CHECKS: Record<PropertyName, Check> = {
  minTlsVersion: (f, value) => {
    const min = f.state?.tls?.minVersion ?? f.state?.settings.ssl.minProtocol ?? 'TLSv1.2';
    const ok = VERSIONS.indexOf(min) >= VERSIONS.indexOf(String(value));
    return {
      ok,
      actual: `ssl_min_protocol_version is ${min}`,
      blame: settingBlame(f, 'ssl_min_protocol_version'),
      fix: ok ? undefined : `set ssl_min_protocol_version = '${value}' in postgresql.conf`,
    };
  },
  methods: (f, value) => {
    const allowed = value as Record<string, string[]>;
    const bad = (f.state?.hba.lines ?? []).filter((l) => allowed[l.connType] && !allowed[l.connType].includes(l.method));
    return bad.length
      ? {
          ok: false,
          actual: bad.map((l) => `line ${l.lineNum}: ${l.connType} ... ${l.method}`).join('; '),
          blame: hbaBlame(f, bad[0].lineNum),
          fix: `use one of ${allowed[bad[0].connType].join(', ')} on pg_hba.conf line ${bad[0].lineNum}`,
        }
      : { ok: true, actual: 'every line uses an allowed method' };
  },
  hostsslRequiresClientCert: (f, value) => {
    const bad = (f.state?.hba.lines ?? []).filter((l) => l.connType === 'hostssl' && l.method !== 'cert' && l.clientcert === 'off');
    const ok = value ? bad.length === 0 : true;
    return ok
      ? { ok, actual: 'every hostssl line asks for a client certificate' }
      : {
          ok,
          actual: bad.map((l) => `line ${l.lineNum} (${l.rawLine.trim()}) takes no client certificate`).join('; '),
          blame: hbaBlame(f, bad[0].lineNum),
          fix: `add clientcert=verify-full to pg_hba.conf line ${bad[0].lineNum}, or use the cert method`,
        };
  },
  certificateDaysLeft: (f, value, _s, at) => {
    if (!f.state?.tls) return noTls(f);
    const min = Number(value);
    const bad = certs(f).filter(({ cert }) => (cert.notAfter.ms ?? 0) - at.getTime() < min * DAY);
    return bad.length
      ? {
          ok: false,
          actual: bad
            .map(({ cert, setting }) => {
              const left = Math.floor(((cert.notAfter.ms ?? 0) - at.getTime()) / DAY);
              return `"${subject(cert)}" (${setting}) ${left < 0 ? `expired ${-left} day(s) ago` : `has ${left} day(s) left`}`;
            })
            .join('; '),
          blame: settingBlame(f, bad[0].setting),
          fix: `renew "${subject(bad[0].cert)}"`,
        }
      : { ok: true, actual: `every certificate has at least ${min} day(s) left` };
  },
  keys: (f, value) => {
    if (!f.state?.tls) return noTls(f);
    const want = value as { minRsaBits?: number; minEcBits?: number; algorithms?: string[] };
    const problems: { setting: string; text: string }[] = [];
    for (const { cert, setting } of certs(f)) {
      const k = cert.publicKey;
      const kind = keyKind(cert);
      if (want.algorithms && !want.algorithms.includes(kind)) problems.push({ setting, text: `"${subject(cert)}" has a ${kind} key` });
      if (k.kind === 'rsa' && want.minRsaBits && k.bits < want.minRsaBits)
        problems.push({ setting, text: `"${subject(cert)}" has a ${k.bits}-bit RSA key` });
      if (k.kind === 'ec' && want.minEcBits && k.bits < want.minEcBits)
        problems.push({ setting, text: `"${subject(cert)}" has a ${k.bits}-bit EC key (${k.curve})` });
    }
    return problems.length
      ? {
          ok: false,
          actual: problems.map((p) => p.text).join('; '),
          blame: settingBlame(f, problems[0].setting),
          fix: 'reissue it with a stronger key',
        }
      : { ok: true, actual: 'every key is of an allowed algorithm and size' };
  },
  noSha1: (f, value) => {
    if (!f.state?.tls) return noTls(f);
    const bad = value ? certs(f).filter(({ cert }) => SHA1.has(cert.signatureAlgorithm.oid)) : [];
    return bad.length
      ? {
          ok: false,
          actual: bad.map(({ cert, setting }) => `"${subject(cert)}" (${setting}) is signed with SHA-1`).join('; '),
          blame: settingBlame(f, bad[0].setting),
          fix: `reissue "${subject(bad[0].cert)}" with SHA-256`,
        }
      : { ok: true, actual: 'no certificate is signed with SHA-1' };
  },
  sanCoversNames: (f, value, server, _at) => {
    if (!f.state?.tls) return noTls(f);
    const leaf = f.state.tls.chain[0];
    const names = [...new Set([server.host, ...server.names].filter((n): n is string => Boolean(n)))];
    if (!value) return { ok: true, actual: 'not asked' };
    const sans = leaf.ext.subjectAltName?.names ?? [];
    if (!names.length) return { ok: false, actual: 'the server names no host clients use: give servers.<name>.host or names' };
    // the SAN must be there (not only the CN), and verify-full must accept each name with it
    const bad = names.filter((n) => !sans.length || !libpqVerifyHost(leaf, n, asPgMajor(server.pgVersion)).ok);
    return bad.length
      ? {
          ok: false,
          actual: `${sans.length ? 'subjectAltName does not cover' : 'the certificate has no subjectAltName, so it does not cover'} ${bad.map((n) => `"${n}"`).join(', ')}`,
          blame: settingBlame(f, 'ssl_cert_file'),
          fix: `reissue the server certificate with subjectAltName ${names.map((n) => (/^[0-9.]+$|:/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',')}`,
        }
      : { ok: true, actual: `subjectAltName covers ${names.join(', ')}` };
  },
  crlsNotStale: (f, value, _s, at) => {
    if (!f.state?.tls) return noTls(f);
    const bad = value ? f.state.tls.crls.filter((c) => c.nextUpdate?.ms != null && c.nextUpdate.ms < at.getTime()) : [];
    return bad.length
      ? {
          ok: false,
          actual: bad.map((c) => `the CRL of "${formatNameOneline(c.issuer)}" is stale since ${c.nextUpdate!.text}`).join('; '),
          blame: settingBlame(f, f.state.settings.ssl.crlFile ? 'ssl_crl_file' : 'ssl_crl_dir'),
          fix: 'publish a fresh CRL',
        }
      : { ok: true, actual: `${f.state.tls.crls.length} CRL(s), none stale` };
  },
};

export function checkProperty(f: ServerFacts, property: PropertyName, value: unknown, server: ServerSpec, at: Date): PropertyVerdict {
  if (!f.starts) return { ok: false, actual: `the server does not start: ${f.fatal}`, blame: settingBlame(f, 'ssl') };
  return CHECKS[property](f, value, server, at);
}
