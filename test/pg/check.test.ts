// `pgtls check`: start-up verdict, the per-pg_hba-line client matrix (simulate() with
// synthetic clients) and each warning, on in-memory data directories; plus the CLI on a
// real directory.

import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCertificate, makeHierarchy } from '../../src/factory/index.js';
import { checkServer, type CheckReport } from '../../src/pg/check.js';
import { memFs, type MemFile } from '../../src/pg/fs.js';
import type { OpensslVersion } from '../../src/tls13/index.js';
import { run as runCheck } from '../../src/cli/check.js';
import { makeTestPki, vectorKey } from '../support/pki.js';

const pki = makeTestPki();
const K = pki.keys;
const PG = { uid: 101, gid: 104 };
const SERVER = { uid: 101, gids: [104] };

function dir(o: { conf?: string; hba?: string; files?: Record<string, MemFile> } = {}) {
  const files: Record<string, MemFile> = {
    '/pg/postgresql.conf': { content: `ssl = on\n${o.conf ?? "ssl_ca_file = 'root+client_ca.crt'\n"}` },
    '/pg/pg_hba.conf': { content: o.hba ?? 'hostssl all all 127.0.0.1/32 trust\n' },
    '/pg/pg_ident.conf': { content: '' },
    '/pg/server.crt': { content: pki.server.cnOnly.pem + pki.serverCa.pem },
    '/pg/server.key': { content: K.server.pem, mode: 0o600 },
    '/pg/root+client_ca.crt': { content: pki.root.pem + pki.clientCa.pem },
  };
  for (const [k, v] of Object.entries(o.files ?? {})) files[k] = v;
  return memFs(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, { ...PG, ...v }])));
}
const check = (fs: ReturnType<typeof dir>, hosts?: string[]) =>
  checkServer({ fs, pgdata: '/pg', serverUser: SERVER, hosts, pgVersion: 15 });
const codes = (r: CheckReport) => r.warnings.map((w) => w.code).sort();
const verdict = (r: CheckReport, line: number, sslmode: string, cert: boolean) =>
  r.lines.find((l) => l.lineNum === line)!.verdicts.find((v) => v.sslmode === sslmode && v.clientCert === cert);

describe('pgtls check', () => {
  it('reports the FATAL when the server cannot start', () => {
    const r = check(dir({ files: { '/pg/server.key': { content: K.server.pem, mode: 0o644 } } }));
    expect(r.starts).toBe(false);
    expect(r.fatal).toBe(
      'LOG:  skipping missing configuration file "/pg/postgresql.auto.conf"\nFATAL:  private key file "server.key" has group or world access\nDETAIL:  File must have permissions u=rw (0600) or less if owned by the database user, or permissions u=rw,g=r (0640) or less if owned by root.',
    );
  });

  it('a sound setup: root found in ssl_ca_file, the client matrix per line, no warnings', () => {
    const hba = `hostssl certdb all 127.0.0.1/32 cert
hostnossl all all 10.0.0.0/8 trust
host all all 127.0.0.1/32 trust
`;
    const r = check(dir({ hba }), ['common-name.pg-ssltest.test']);
    expect(r.starts).toBe(true);
    expect(r.clientRoot).toEqual({ subject: 'CN = Test root CA for pgtls', source: 'ssl_ca_file root+client_ca.crt' });
    expect(codes(r)).toEqual([]);
    // line 1: cert auth needs a certificate
    expect(verdict(r, 1, 'require', false)).toMatchObject({
      result: 'fails',
      message: 'FATAL:  connection requires a valid client certificate',
    });
    expect(verdict(r, 1, 'verify-full', true)).toMatchObject({ result: 'connects', acceptedBy: 1 });
    // plaintext certdb is accepted by line 3 (host all all), not line 1
    expect(verdict(r, 1, 'disable', true)).toMatchObject({ result: 'connects', acceptedBy: 3 });
    // line 2 from 10.0.0.1: plaintext only
    expect(r.lines[1].client).toEqual({ user: 'postgres', database: 'postgres', address: '10.0.0.1' });
    expect(verdict(r, 2, 'prefer', false)).toMatchObject({ result: 'connects', acceptedBy: 2 });
    expect(verdict(r, 2, 'require', false)).toMatchObject({ result: 'fails' });
    // line 3: everything connects
    expect(r.lines[2].verdicts.filter((v) => v.result !== 'connects')).toEqual([]);
  });

  it('names that no client host matches; verify-full fails for it', () => {
    const r = check(dir(), ['db.example.com']);
    expect(codes(r)).toEqual(['name-mismatch']);
    expect(r.warnings[0].message).toMatch(/"common-name\.pg-ssltest\.test".*"db\.example\.com"/);
    expect(verdict(r, 1, 'verify-full', false)).toMatchObject({
      result: 'fails',
      message: 'server certificate for "common-name.pg-ssltest.test" does not match host name "db.example.com"',
    });
    // default host names come from listen_addresses (localhost)
    expect(check(dir()).hosts).toEqual(['localhost']);
  });

  it('an intermediate missing from server.crt; unknown root', () => {
    // the issuer found nowhere: it may be a root the clients have, so no warning
    const unknown = check(dir({ conf: '', files: { '/pg/server.crt': { content: pki.server.cnOnly.pem } } }), [
      'common-name.pg-ssltest.test',
    ]);
    expect(codes(unknown)).toEqual([]);
    expect(unknown.clientRoot).toBeUndefined();
    expect(verdict(unknown, 1, 'verify-ca', false)).toMatchObject({ result: 'unknown' });
    expect(verdict(unknown, 1, 'require', false)).toMatchObject({ result: 'connects' });
    // the issuer in the data directory and not self-signed: an intermediate the server does not send
    const r = check(
      dir({
        conf: '',
        files: { '/pg/server.crt': { content: pki.server.cnOnly.pem }, '/pg/server_ca.crt': { content: pki.serverCa.pem } },
      }),
      ['common-name.pg-ssltest.test'],
    );
    expect(codes(r)).toEqual(['chain-incomplete']);
    expect(r.warnings[0].message).toMatch(/not the intermediate ".*" \(in server_ca\.crt\) .*append it to server\.crt/);
    // the client has only the root: verify-ca fails as the warning says
    expect(verdict(r, 1, 'verify-ca', false)).toMatchObject({ result: 'fails' });
  });

  it("a leaf signed by the root needs no intermediate: no chain-incomplete for gen root-server's output; gen chain's bundle is complete", () => {
    const keys = { root: K.root.key, intermediate: K.serverCa.key, server: K.server.key };
    for (const kind of ['root-server', 'chain'] as const) {
      const h = makeHierarchy(kind, { cn: 'localhost', keys });
      const files = { '/pg/server.crt': { content: h.serverCrtPem }, '/pg/server.key': { content: h.server.keyPem, mode: 0o600 } };
      // the root beside it (as gen writes it) or kept elsewhere
      expect(codes(check(dir({ conf: '', files: { ...files, '/pg/root.crt': { content: h.rootCrtPem } } }), ['localhost']))).toEqual([]);
      expect(codes(check(dir({ conf: '', files }), ['localhost']))).toEqual([]);
    }
    // gen chain with only the leaf in server.crt: the intermediate in intermediate.crt is not sent
    const c = makeHierarchy('chain', { cn: 'localhost', keys });
    const leafOnly = {
      '/pg/server.crt': { content: c.server.cert.pem },
      '/pg/server.key': { content: c.server.keyPem, mode: 0o600 },
      '/pg/intermediate.crt': { content: c.intermediate!.cert.pem },
    };
    expect(codes(check(dir({ conf: '', files: leafOnly }), ['localhost']))).toEqual(['chain-incomplete']);
  });

  it('expiring leaf, SHA-1 signature, RSA-1024 key', () => {
    const days = (n: number) => new Date(Date.now() + n * 86_400_000);
    const rsa1024 = vectorKey('rsa1024-1');
    const soon = makeCertificate({
      version: 1,
      subject: [{ CN: 'soon' }],
      subjectKey: rsa1024.key,
      issuerCert: pki.serverCa,
      issuerKey: K.serverCa.key,
      notBefore: days(-1),
      notAfter: days(10),
      signatureAlgorithm: 'sha1WithRSAEncryption',
    });
    const d = dir({
      files: { '/pg/server.crt': { content: soon.pem + pki.serverCa.pem }, '/pg/server.key': { content: rsa1024.pem, mode: 0o600 } },
    });
    // at Debian's level 2 the server does not start with it (ssl_security_cert, as PostgreSQL 15 does)
    const r = check(d, ['soon']);
    expect(r.starts).toBe(false);
    expect(r.fatal).toMatch(/FATAL: {2}could not load server certificate file "server.crt": ee key too small$/);
    // level 1 takes the 80-bit key but not the 63-bit SHA-1 signature; level 0 starts
    expect(checkServer({ fs: d, pgdata: '/pg', serverUser: SERVER, hosts: ['soon'], securityLevel: 1 }).fatal).toMatch(/ca md too weak$/);
    expect(codes(checkServer({ fs: d, pgdata: '/pg', serverUser: SERVER, hosts: ['soon'], securityLevel: 0 }))).toEqual(['cert-expiring']);
  });

  it('ssl_ca_file certificates below the security level', () => {
    const rsa1024 = vectorKey('rsa1024-1');
    const weakCa = makeCertificate({
      subject: [{ CN: 'weak client CA' }],
      selfSigned: true,
      issuerKey: rsa1024.key,
      extensions: [{ type: 'basicConstraints', ca: true, critical: true }],
    });
    const sha1Ca = makeCertificate({
      subject: [{ CN: 'sha1 client CA' }],
      subjectKey: K.serverCa.key,
      issuerCert: weakCa,
      issuerKey: rsa1024.key,
      signatureAlgorithm: 'sha1WithRSAEncryption',
      extensions: [{ type: 'basicConstraints', ca: true, critical: true }],
    });
    const d = dir({ conf: "ssl_ca_file = 'ca.crt'\n", files: { '/pg/ca.crt': { content: weakCa.pem + sha1Ca.pem } } });
    expect(codes(check(d)).filter((c) => c === 'weak-rsa' || c === 'sha1-signature')).toEqual(['sha1-signature', 'weak-rsa']);
    expect(check(d).warnings.find((w) => w.code === 'weak-rsa')?.message).toMatch(/security level 2 refuses it \("ca key too small"\)/);
    expect(
      codes(checkServer({ fs: d, pgdata: '/pg', serverUser: SERVER, securityLevel: 1 })).filter(
        (c) => c === 'weak-rsa' || c === 'sha1-signature',
      ),
    ).toEqual(['sha1-signature']);
  });

  it('a SHA-1 server.crt: refused on OpenSSL 3.0, not on 3.2+ (which rates its own certificate by its key only)', () => {
    const sha1Leaf = makeCertificate({
      subject: [{ CN: 'localhost' }],
      subjectKey: K.server.key,
      issuerCert: pki.serverCa,
      issuerKey: K.serverCa.key,
      signatureAlgorithm: 'sha1WithRSAEncryption',
    });
    const d = dir({ files: { '/pg/server.crt': { content: sha1Leaf.pem + pki.serverCa.pem } } });
    const run = (opensslVersion: OpensslVersion) => checkServer({ fs: d, pgdata: '/pg', serverUser: SERVER, opensslVersion });
    expect(run('3.0').fatal).toMatch(/FATAL: {2}could not load server certificate file "server.crt": ca md too weak$/);
    expect([run('3.2').starts, codes(run('3.2')).filter((c) => c === 'sha1-signature')]).toEqual([true, []]);
  });

  it('pg_hba.conf errors are shown with the FATAL', () => {
    const r = check(dir({ hba: 'host all all 127.0.0.1/32 cert\n' }));
    expect(r.starts).toBe(false);
    expect(r.fatal).toMatch(/cert authentication is only supported on hostssl connections[\s\S]*FATAL: {2}could not load pg_hba.conf$/);
  });

  it('expired CRL and clientcert without ssl_ca_file', () => {
    const r = check(
      dir({
        conf: "ssl_ca_file = 'root+client_ca.crt'\nssl_crl_file = 'old.crl'\n",
        files: { '/pg/old.crl': { content: pki.crl.root.pem + pki.crl.clientCaExpired.pem } },
      }),
      ['common-name.pg-ssltest.test'],
    );
    expect(codes(r)).toEqual(['crl-expired']);
    const r2 = check(
      dir({ conf: '', hba: 'hostssl all all 127.0.0.1/32 trust clientcert=verify-ca\nhostssl certdb all 127.0.0.1/32 cert\n' }),
      ['common-name.pg-ssltest.test'],
    );
    expect(codes(r2)).toEqual(['clientcert-without-ca', 'clientcert-without-ca']);
    expect(r2.lines[0].verdicts.some((v) => v.clientCert)).toBe(false);
  });

  it('connects to the address the server listens on', () => {
    const r = check(dir({ conf: "listen_addresses = '10.0.0.5'\nport = 5433\n" }), ['common-name.pg-ssltest.test']);
    expect(verdict(r, 1, 'require', false)).toMatchObject({ result: 'connects', acceptedBy: 1 });
  });

  it('ssl off: hostssl lines never match, SSL modes fail', () => {
    const r = check(
      dir({
        conf: '',
        hba: 'hostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 trust\n',
        files: { '/pg/postgresql.conf': { content: 'ssl = off\n' } },
      }),
    );
    expect(r.ssl).toBe(false);
    expect(codes(r)).toEqual(['hostssl-without-ssl']);
    expect(verdict(r, 2, 'verify-full', false)).toMatchObject({
      result: 'fails',
      message: 'server does not support SSL, but SSL was required',
    });
    expect(verdict(r, 2, 'prefer', false)).toMatchObject({ result: 'connects', acceptedBy: 2 });
  });

  it("local lines: psql on the server's Unix socket as an OS user named like the role", () => {
    const hba = `local all postgres peer
local app alice peer map=m
local all bob scram-sha-256
local all carol reject
hostssl all all 127.0.0.1/32 trust
`;
    const socket = (r: CheckReport, line: number) => r.lines.find((l) => l.lineNum === line)!.socket;
    const r = check(
      dir({
        hba,
        conf: "unix_socket_directories = '/tmp, /var/run/postgresql'\nport = 5433\n",
        files: { '/pg/pg_ident.conf': { content: 'm root alice\n' } },
      }),
    );
    expect(r.lines.map((l) => l.lineNum)).toEqual([1, 2, 3, 4, 5]);
    expect(socket(r, 1)).toEqual({ path: '/tmp/.s.PGSQL.5433', osUser: 'postgres', result: 'connects', acceptedBy: 1 });
    // peer: OS user alice maps to nothing (the map names root)
    expect(socket(r, 2)).toMatchObject({
      osUser: 'alice',
      result: 'fails',
      message: 'FATAL:  Peer authentication failed for user "alice"',
    });
    expect(socket(r, 3)).toMatchObject({ result: 'fails', message: 'fe_sendauth: no password supplied' });
    expect(socket(r, 4)).toMatchObject({
      result: 'fails',
      message: 'FATAL:  pg_hba.conf rejects connection for host "[local]", user "carol", database "postgres", no encryption',
    });
    expect(socket(r, 5)).toBeUndefined();
    expect(verdict(r, 5, 'require', false)).toMatchObject({ result: 'connects', acceptedBy: 5 });
    // the first socket the server makes: a relative directory lives in the data directory
    const relative = check(dir({ hba, conf: "unix_socket_directories = 'sock, /tmp'\n" }));
    expect(socket(relative, 1)).toEqual({ path: '/pg/sock/.s.PGSQL.5432', osUser: 'postgres', result: 'connects', acceptedBy: 1 });
    // no socket at all
    const none = check(dir({ hba, conf: "unix_socket_directories = ''\n" }));
    expect(none.lines[0].skipped).toMatch(/no Unix socket/);
  });

  it('the CLI on a real directory (text and --json)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'pgtls-check-'));
    try {
      writeFileSync(join(d, 'postgresql.conf'), "ssl = on\nssl_ca_file = 'root+client_ca.crt'\n");
      writeFileSync(join(d, 'pg_hba.conf'), 'hostssl all all 127.0.0.1/32 cert\n');
      writeFileSync(join(d, 'server.crt'), pki.server.cnOnly.pem + pki.serverCa.pem);
      writeFileSync(join(d, 'server.key'), K.server.pem);
      chmodSync(join(d, 'server.key'), 0o600);
      writeFileSync(join(d, 'root+client_ca.crt'), pki.root.pem + pki.clientCa.pem);
      const logs: string[] = [];
      const orig = console.log;
      console.log = (s: string) => logs.push(s);
      try {
        expect(await runCheck(['--pgdata', d, '--host', 'common-name.pg-ssltest.test'])).toBe(0);
        expect(await runCheck(['--pgdata', d, '--json'])).toBe(0);
      } finally {
        console.log = orig;
      }
      expect(logs[0]).toMatch(/^Server: starts, SSL on/);
      expect(logs[0]).toMatch(
        /verify-full +no client cert: fails: FATAL: {2}connection requires a valid client certificate\n +client cert: +connects \(line 1\)/,
      );
      const json = JSON.parse(logs[1]) as CheckReport;
      expect(json.warnings.map((w) => w.code)).toEqual(['name-mismatch']);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
