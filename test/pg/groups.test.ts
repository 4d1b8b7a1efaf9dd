// groups.ts's tables held against the openssl CLI (3.0): the EC curves it names are
// exactly `openssl ecparam -list_curves`, and the names ssl_groups takes (PostgreSQL 18,
// SSL_CTX_set1_groups_list) are the ones `s_client -groups` (the same call) takes; plus the
// parse rules (blanks, empty elements, duplicates) and the messages. Skipped without openssl.

import { execFile, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ecdhCurveGroups, KNOWN_NAMES, sslGroupsGroups } from '../../src/pg/server/groups.js';

const noOpenssl = spawnSync('openssl', ['version']).status !== 0;

/** Whether SSL_CTX_set1_groups_list takes `list` (s_client stops before connecting when not). */
function opensslTakes(list: string): boolean {
  const r = spawnSync('openssl', ['s_client', '-connect', '127.0.0.1:1', '-groups', list], {
    encoding: 'utf8',
    input: '',
    timeout: 10_000,
  });
  return !/Call to SSL_CONF_cmd\(-groups/.test(`${r.stdout}${r.stderr}`);
}

function opensslTakesAsync(list: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = execFile(
      'openssl',
      ['s_client', '-connect', '127.0.0.1:1', '-groups', list],
      { encoding: 'utf8', timeout: 10_000 },
      (_e, stdout, stderr) => resolve(!/Call to SSL_CONF_cmd\(-groups/.test(`${stdout}${stderr}`)),
    );
    c.stdin?.end();
  });
}

describe.skipIf(noOpenssl)('groups.ts against openssl 3.0', () => {
  it('the EC curve table is `openssl ecparam -list_curves`', () => {
    const out = spawnSync('openssl', ['ecparam', '-list_curves'], { encoding: 'utf8' }).stdout;
    const curves = out
      .split('\n')
      .filter((l) => /^\s*\S+\s*:/.test(l))
      .map((l) => l.split(':')[0].trim());
    expect([...KNOWN_NAMES.ecCurves].sort()).toEqual([...curves].sort());
  });
  it('every group name the table knows is taken by SSL_CTX_set1_groups_list, and near misses are not', async () => {
    const takes = await Promise.all(KNOWN_NAMES.tlsGroups.map(async (n) => ({ n, takes: await opensslTakesAsync(n) })));
    expect(takes.filter((t) => !t.takes)).toEqual([]);
    expect(takes.length).toBeGreaterThan(40);
    for (const n of ['p-256', 'FFDHE2048', 'secp112r1', 'SM2', 'brainpoolP256t1', 'X25519MLKEM768', 'x25519,P-256']) {
      expect({ n, takes: opensslTakes(n) }).toEqual({ n, takes: false });
      expect(sslGroupsGroups(n)).toMatchObject({
        ok: false,
        message: 'could not set group names specified in ssl_groups: passed invalid argument',
      });
    }
  });
  it('lists: blanks around names are fine; an empty element or a group twice fails with no OpenSSL error', () => {
    const cases: [string, boolean][] = [
      [' X25519 : P-256', true],
      ['X25519:', false],
      ['', false],
      ['X25519::P-256', false],
      ['X25519:x25519', false],
      ['P-256:prime256v1', false],
    ];
    for (const [list, ok] of cases) {
      expect({ list, takes: opensslTakes(list) }).toEqual({ list, takes: ok });
      const r = sslGroupsGroups(list);
      expect(r.ok).toBe(ok);
      if (!r.ok) expect(r.message).toBe('could not set group names specified in ssl_groups: No valid groups found');
    }
  });
});

describe('server groups', () => {
  it('PostgreSQL 18 default X25519:prime256v1: both usable in TLS 1.3, x25519 first', () => {
    expect(sslGroupsGroups('X25519:prime256v1')).toEqual({
      ok: true,
      groups: {
        all: ['x25519', 'secp256r1'],
        tls13: ['x25519', 'secp256r1'],
        engine: ['x25519', 'secp256r1'],
        source: 'ssl_groups = X25519:prime256v1',
      },
    });
  });
  it('TLS 1.2-only and FFDHE groups: kept in the list, not in what the engine computes', () => {
    expect(sslGroupsGroups('secp256k1:ffdhe2048:P-384')).toMatchObject({
      ok: true,
      groups: { all: ['secp256k1', 'ffdhe2048', 'secp384r1'], tls13: ['ffdhe2048', 'secp384r1'], engine: ['secp384r1'] },
    });
  });
  it('ssl_ecdh_curve (13-17): one curve; a curve with no TLS group leaves the OpenSSL default list; others fail as the real server does', () => {
    expect(ecdhCurveGroups('prime256v1')).toMatchObject({ ok: true, groups: { all: ['secp256r1'], engine: ['secp256r1'] } });
    expect(ecdhCurveGroups('brainpoolP256r1')).toMatchObject({ ok: true, groups: { all: ['brainpoolP256r1'], tls13: [] } });
    expect(ecdhCurveGroups('SM2')).toMatchObject({
      ok: true,
      groups: { engine: ['x25519', 'secp256r1', 'x448', 'secp521r1', 'secp384r1'] },
    });
    expect(ecdhCurveGroups('X25519')).toEqual({ ok: false, message: 'ECDH: could not create key' });
    expect(ecdhCurveGroups('secp256r1')).toEqual({ ok: false, message: 'ECDH: unrecognized curve name: secp256r1' });
  });
});
