// The page's scenario model without a browser: the versions and revocations survive the URL
// (and a hand-edited link cannot name a version the page lacks), the export's command names
// the versions, and each revocation the form offers changes the core's verdict.

import { describe, expect, it } from 'vitest';
import { exportScript, simulateCommand } from '../../web/src/export.js';
import { docsUrl, JAPANESE_MANUALS, LESSONS, MANUAL_PAGES } from '../../web/src/lessons.js';
import { decodeScenario, defaultScenario, encodeScenario, PG_VERSIONS, type Scenario } from '../../web/src/model.js';
import { runScenario } from '../../web/src/run.js';

const CERT_AUTH: Partial<Scenario> = {
  serverCa: true,
  crl: true,
  clientCertCn: 'app',
  conf: "listen_addresses = 'localhost'\nssl = on\nssl_ca_file = 'root.crt'\nssl_crl_file = 'root.crl'\n",
  hba: 'hostssl all all 127.0.0.1/32 cert\n',
};

describe('web scenario', () => {
  it('keeps the versions and revocations in the URL, and refuses versions the page lacks', () => {
    const s: Scenario = { ...defaultScenario(), pgVersion: 14, opensslVersion: '1.1', revoke: ['server', 'client'], clientCrl: true };
    expect(decodeScenario(encodeScenario(s))).toEqual(s);
    const bad = { ...s, pgVersion: 12, opensslVersion: '0.9', revoke: ['root', 'client'] } as unknown as Scenario;
    expect(decodeScenario(encodeScenario(bad))).toMatchObject({ pgVersion: 18, opensslVersion: '3.0', revoke: ['client'] });
  });

  it('writes the versions into the pgtls simulate command and the exported script', () => {
    const v = { pgVersion: 13, opensslVersion: '1.1' as const };
    expect(simulateCommand('host=x', v)).toBe(
      "pgtls simulate --pg-version 13 --openssl-version 1.1 --pgdata /tmp/pgtls-scenario/data --home /tmp/pgtls-scenario/home 'host=x'",
    );
    expect(exportScript([], 'host=x', v, 'n')).toContain('echo "pgtls simulate --pg-version 13 --openssl-version 1.1 --pgdata $D/data');
  });

  it("links each lesson to the manual of the scenario's version: postgresql.org, or postgresql.jp's translation in Japanese", () => {
    for (const l of LESSONS) {
      expect(MANUAL_PAGES).toContain(l.docs.page);
      const tail = `${l.docs.page}${l.docs.anchor ? `#${l.docs.anchor}` : ''}`;
      for (const v of PG_VERSIONS) {
        expect(docsUrl(l.docs, 'en', v)).toBe(`https://www.postgresql.org/docs/${v}/${tail}`);
        expect(JAPANESE_MANUALS.has(v), `postgresql.jp translates ${v}`).toBe(true);
        expect(docsUrl(l.docs, 'ja', v)).toBe(`https://www.postgresql.jp/document/${v}/html/${tail}`);
      }
    }
    // a major postgresql.jp has not translated: the English manual
    expect(docsUrl(LESSONS[0].docs, 'ja', 12)).toMatch(/^https:\/\/www\.postgresql\.org\/docs\/12\//);
  });

  for (const kind of ['root-server', 'chain'] as const)
    for (const [revoke, clientCrl, ok] of [
      [[], true, true],
      [['client'], false, false],
      [['server'], false, true], // the server's own certificate: only a client with the CRL notices
      [['server'], true, false],
      [['intermediate'], true, kind === 'root-server'], // no intermediate in recipe 2: nothing revoked
    ] as const)
      it(`${kind}: revoking [${revoke.join()}]${clientCrl ? ' with a client CRL' : ''} ${ok ? 'connects' : 'fails'}`, () => {
        const r = runScenario({ ...defaultScenario(), ...CERT_AUTH, kind, revoke: [...revoke], clientCrl });
        expect(r.inputError).toBeUndefined();
        expect({ ok: r.ok, psql: r.psqlStderr }).toMatchObject({ ok });
        if (!ok) expect(`${r.psqlStderr}\n${r.serverLog.join('\n')}`).toContain('certificate revoked');
        // the fix names what is revoked: a revoked CA is not "the server certificate"
        if (!ok && revoke[0] === 'intermediate') expect(r.fix).toMatch(/^the CA ".*" \(depth 1 of the server chain\) is revoked/);
        if (!ok && revoke[0] === 'server') expect(r.fix).toBe('the server certificate is revoked: issue a new one');
      });
});
