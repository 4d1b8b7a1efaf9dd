import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeCertificate, privateKeyPem } from '../../src/factory/index.js';
import { memFs } from '../../src/pg/fs.js';
import { simulate } from '../../src/pg/simulate.js';
import type { OpensslVersion } from '../../src/tls13/index.js';
import { parsePrivateKey } from '../../src/x509/index.js';
import { defaultSecurityLevel } from '../../src/crypto/index.js';
import { cipherSecurityLevel } from '../../src/pg/server/startup.js';
import { securityLevelOption, UsageError } from '../../src/cli/args.js';

// The security level as an input: its default per OpenSSL build, @SECLEVEL in ssl_ciphers,
// and the CLI option (the behaviour itself is checked against PostgreSQL 15 in
// startup-fidelity-oracle.test.ts).

describe('security level inputs', () => {
  it('defaults: Debian OpenSSL 3 builds 2, OpenSSL 1.1 builds 1', () => {
    expect(['3.0', '3.2', '4.0', '1.1'].map(defaultSecurityLevel)).toEqual([2, 2, 2, 1]);
  });

  it('@SECLEVEL=n in a cipher string: the last one, one digit 0..5', () => {
    expect(cipherSecurityLevel('HIGH:MEDIUM:+3DES:!aNULL')).toBeUndefined();
    expect(cipherSecurityLevel('DEFAULT:@SECLEVEL=0')).toBe(0);
    expect(cipherSecurityLevel('@SECLEVEL=3:HIGH:@SECLEVEL=1')).toBe(1);
  });

  it('--security-level takes 0..5 and nothing else', () => {
    expect(securityLevelOption({})).toBeUndefined();
    expect(securityLevelOption({ 'security-level': '0' })).toBe(0);
    expect(securityLevelOption({ 'security-level': '5' })).toBe(5);
    for (const bad of ['6', '-1', '1.5', 'two', '']) expect(() => securityLevelOption({ 'security-level': bad })).toThrow(UsageError);
  });
});

// The two moments OpenSSL applies the server's level (real outputs: seclevel-versions-oracle):
// server.crt when it loads (the build's level) and the chain each handshake sends (the level
// ssl_ciphers set afterwards); per build, whose security bits.
describe("the server's own chain, at start-up and on each handshake", () => {
  const PG = { uid: 101, gid: 104 };
  const key = (n: string) => parsePrivateKey(readFileSync(`vectors/keys/${n}.pem`));
  const leaf = (k: string, signatureAlgorithm?: string) =>
    makeCertificate({
      subject: '/CN=localhost',
      issuer: '/CN=Level Root',
      subjectKey: key(k),
      issuerKey: key('rsa2048-1'),
      ...(signatureAlgorithm ? { signatureAlgorithm } : {}),
    }).pem;
  const sim = (crt: string, k: string, ciphers: string, opensslVersion: OpensslVersion) =>
    simulate({
      fs: memFs({
        '/pg/postgresql.conf': { content: `ssl = on\nssl_ciphers = '${ciphers}'\n`, ...PG, mode: 0o600 },
        '/pg/pg_hba.conf': { content: 'hostssl all all 127.0.0.1/32 trust\n', ...PG },
        '/pg/pg_ident.conf': { content: '', ...PG },
        '/pg/server.crt': { content: crt, ...PG },
        '/pg/server.key': { content: privateKeyPem(key(k), 'pkcs8'), mode: 0o600, ...PG },
      }),
      pgdata: '/pg',
      serverUser: { uid: PG.uid, gids: [PG.gid] },
      conninfo: 'hostaddr=127.0.0.1 port=5432 sslmode=require dbname=postgres user=u',
      pgVersion: 15,
      opensslVersion,
    });

  it('a level ssl_ciphers raises above server.crt: the server starts, each handshake fails after its first flight', () => {
    const r = sim(leaf('rsa2048-2'), 'rsa2048-2', 'HIGH:@SECLEVEL=3', '3.0');
    expect(r.serverStarted, r.serverLog.join('\n')).toBe(true);
    expect(r.message).toBe('SSL error: tlsv1 alert internal error');
    expect(r.connectionLog.at(-1)).toBe('LOG:  could not accept SSL connection: ee key too small');
    expect(r.steps.find((s) => s.step === 'server-certificate')?.result).toBe('fail');
    expect(r.attempts.at(-1)?.handshake?.serverChainRefused).toEqual({ failure: 'ee-key-too-small', level: 3 });
    // the trace ends where OpenSSL stopped: the server's Certificate, never sent
    const last = r.tlsTrace.at(-1);
    expect([last?.who, last?.message, last?.alert?.name]).toEqual(['server', 'Certificate', 'internal_error']);
    expect(r.tlsTrace.some((e) => e.who === 'client' && e.message === 'Certificate')).toBe(false);
  });

  it('the fix for a chain refused at the handshake names the level ssl_ciphers set and the keys it needs', () => {
    const r = sim(leaf('rsa2048-2'), 'rsa2048-2', 'HIGH:@SECLEVEL=3', '3.0');
    expect(r.fixes).toEqual([{ kind: 'chain-refused-at-handshake', args: { level: 3, keys: 3 } }]);
    expect(r.fix).toBe(
      'the server started, but @SECLEVEL=3 in ssl_ciphers, set after server.crt is loaded, refuses its chain on every handshake: ' +
        'lower @SECLEVEL in ssl_ciphers, or reissue the certificate and its CAs with a 3072-bit RSA or P-256 key, signed with SHA-256',
    );
  });

  it('@SECLEVEL=0 does not save a weak server.crt: it is judged before the cipher list is set', () => {
    const r = sim(leaf('rsa1024-1'), 'rsa1024-1', 'HIGH:@SECLEVEL=0', '3.0');
    expect(r.serverFatal).toBe('could not load server certificate file "server.crt": ee key too small');
    expect(sim(leaf('rsa1024-1'), 'rsa1024-1', 'HIGH:@SECLEVEL=0', '1.1').ok).toBe(true);
  });

  it('SHA-1: 63 bits on 3.0 (refused at its level 2), 80 on 1.1.1 (passes level 1, refused on the handshake at 2)', () => {
    const sha1 = leaf('rsa2048-2', 'sha1WithRSAEncryption');
    expect(sim(sha1, 'rsa2048-2', 'HIGH', '3.0').serverFatal).toBe('could not load server certificate file "server.crt": ca md too weak');
    expect(sim(sha1, 'rsa2048-2', 'HIGH', '1.1').ok).toBe(true);
    const r = sim(sha1, 'rsa2048-2', 'HIGH:@SECLEVEL=2', '1.1');
    expect([r.serverStarted, r.connectionLog.at(-1)]).toEqual([true, 'LOG:  could not accept SSL connection: ca md too weak']);
  });

  it("3.2+ (Debian 13 3.5.9, forky 3.6.5) rates only its own certificate's key, not the digest that signed it", () => {
    const sha1 = leaf('rsa2048-2', 'sha1WithRSAEncryption');
    // SHA-1 and MD5 pass start-up and every handshake at 2; at 3 the RSA-2048 key fails, the digest never
    for (const crt of [sha1, leaf('rsa2048-2', 'md5WithRSAEncryption')])
      expect(sim(crt, 'rsa2048-2', 'HIGH:@SECLEVEL=2', '3.2').ok).toBe(true);
    const r = sim(sha1, 'rsa2048-2', 'HIGH:@SECLEVEL=3', '3.2');
    expect(r.attempts.at(-1)?.handshake?.serverChainRefused).toEqual({ failure: 'ee-key-too-small', level: 3 });
    const sha1Rsa3072 = leaf('rsa3072-1', 'sha1WithRSAEncryption');
    expect(sim(sha1Rsa3072, 'rsa3072-1', 'HIGH:@SECLEVEL=3', '3.2').ok).toBe(true);
    expect(sim(sha1Rsa3072, 'rsa3072-1', 'HIGH', '3.0').serverFatal).toBe(
      'could not load server certificate file "server.crt": ca md too weak',
    );
  });

  it('1.1.1 as released refuses every TLS 1.3 suite at level 3: no shared cipher, before any certificate', () => {
    const r = sim(leaf('rsa2048-2'), 'rsa2048-2', 'HIGH:@SECLEVEL=3', '1.1');
    expect(r.message).toBe('SSL error: sslv3 alert handshake failure');
    expect(r.connectionLog.at(-1)).toBe('LOG:  could not accept SSL connection: no shared cipher');
  });
});
