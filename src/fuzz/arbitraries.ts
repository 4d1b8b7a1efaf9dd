// fast-check arbitraries for whole fuzz cases (chains of depth 1-6 over the fixed RSA, EC
// and Ed25519 keys, trust anchors, bundles, CRL sets, purpose, host name and mutation lists).
// Weighted towards well-formed chains so that most mutations land in otherwise valid paths,
// where they exercise one check at a time.

import fc from 'fast-check';
import {
  CRL_MUTATION_OPS,
  KEY_NAMES,
  LEAF_HOST,
  MUTATION_OPS,
  type CaseSpec,
  type CertSpecLite,
  type KeyName,
  type Mutation,
} from './model.js';

const weighted = <T>(...pairs: [number, T][]): fc.Arbitrary<T> =>
  fc.oneof(...pairs.map(([weight, v]) => ({ weight, arbitrary: fc.constant(v) })));

// Ed25519 and P-256 sign in well under a millisecond; RSA-2048 costs ~4 ms in pure TS
export const keyArb: fc.Arbitrary<KeyName> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom<KeyName>('ed25519-1', 'ed25519-2', 'ed25519-3', 'ed25519-4') },
  { weight: 5, arbitrary: fc.constantFrom<KeyName>('p256-1', 'p256-2', 'p256-3', 'p256-4') },
  { weight: 2, arbitrary: fc.constantFrom<KeyName>('rsa2048-1', 'rsa2048-2') },
  { weight: 1, arbitrary: fc.constantFrom<KeyName>('p384-1', 'rsa1024-1', 'rsapss2048-1') },
);

const validityArb = weighted<CertSpecLite['validity']>(
  [12, 'ok'],
  [1, 'expired'],
  [1, 'future'],
  [1, 'edge-nb'],
  [1, 'edge-na'],
  [1, 'at-na'],
  [1, 'inverted'],
);

export const caSpecArb: fc.Arbitrary<CertSpecLite> = fc.record({
  key: keyArb,
  name: fc.constantFrom('A', 'B', 'C', 'D'),
  validity: validityArb,
  bc: weighted<CertSpecLite['bc']>([10, 'ca'], [2, 'ca-path0'], [2, 'ca-path1'], [1, 'ca-noncrit'], [1, 'none'], [1, 'not-ca']),
  ku: weighted<CertSpecLite['ku']>([6, 'none'], [6, 'ca'], [1, 'certsign'], [1, 'crlsign'], [1, 'ds']),
  eku: weighted<CertSpecLite['eku']>([10, 'none'], [1, 'server'], [1, 'client'], [1, 'any'], [1, 'code']),
  san: weighted<CertSpecLite['san']>([12, 'none'], [1, 'dns']),
  nc: weighted<CertSpecLite['nc']>(
    [12, 'none'],
    [1, 'permit-dns'],
    [1, 'exclude-dns'],
    [1, 'permit-ip'],
    [1, 'permit-dirname'],
    [1, 'exclude-other'],
  ),
  ids: weighted([8, true], [1, false]),
  cnHost: fc.constant(false),
  version: weighted<CertSpecLite['version']>([20, 'v3'], [1, 'v1']),
});

export const leafSpecArb: fc.Arbitrary<CertSpecLite> = fc.record({
  key: keyArb,
  name: fc.constant('leaf'),
  validity: validityArb,
  bc: weighted<CertSpecLite['bc']>([10, 'none'], [2, 'not-ca'], [1, 'ca']),
  ku: weighted<CertSpecLite['ku']>([6, 'none'], [4, 'ds'], [1, 'ke'], [1, 'ca'], [1, 'certsign']),
  eku: weighted<CertSpecLite['eku']>([6, 'none'], [4, 'server'], [2, 'client'], [2, 'server-client'], [1, 'any'], [1, 'code']),
  san: weighted<CertSpecLite['san']>([4, 'none'], [6, 'dns'], [1, 'dns-other'], [1, 'wild'], [1, 'ip'], [1, 'email']),
  nc: fc.constant('none' as const),
  ids: weighted([5, true], [1, false]),
  cnHost: weighted([3, true], [1, false]),
  version: weighted<CertSpecLite['version']>([12, 'v3'], [1, 'v1']),
});

export const mutationArb = (chainLength: number): fc.Arbitrary<Mutation> =>
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ at: fc.nat(chainLength - 1), op: fc.constantFrom(...MUTATION_OPS), n: fc.nat(1 << 16) }) },
    {
      weight: 1,
      arbitrary: fc.record({
        at: fc.nat(Math.max(0, chainLength - 2)),
        op: fc.constantFrom(...CRL_MUTATION_OPS),
        n: fc.nat(1 << 16),
        crl: fc.constant(true as const),
      }),
    },
  );

const bundleArb = fc.record({
  drop: fc.option(fc.nat(4), { nil: undefined, freq: 8 }),
  impostor: weighted([8, false], [1, true]),
  cross: weighted<CaseSpec['bundle']['cross']>([10, 'none'], [1, 'trusted'], [1, 'untrusted']),
  shuffle: weighted([4, 0], [1, 1], [1, 2], [1, 3]),
  dup: weighted([8, false], [1, true]),
  leafInBundle: weighted([10, false], [1, true]),
});

/** A whole case: `mutations` says how many mutations at most (0 = a well-formed-ish chain). */
export function caseArb(maxMutations = 3): fc.Arbitrary<CaseSpec> {
  return fc.tuple(fc.array(caSpecArb, { minLength: 0, maxLength: 5 }), leafSpecArb).chain(([cas, leaf]) => {
    const chain = [...cas, leaf];
    const n = chain.length;
    return fc.record({
      chain: fc.constant(chain),
      anchor: weighted<CaseSpec['anchor']>(
        [14, 'root'],
        [1, 'root+intermediate'],
        [1, 'intermediate'],
        [1, 'leaf'],
        [1, 'none'],
        [1, 'other'],
        [1, 'root-dup'],
      ),
      bundle: bundleArb,
      crl: fc.record({
        mode: weighted<CaseSpec['crl']['mode']>([6, 'none'], [3, 'all'], [1, 'missing-one']),
        revoke: fc.option(fc.nat(n), { nil: undefined, freq: 2 }),
      }),
      purpose: weighted<CaseSpec['purpose']>([3, 'sslserver'], [1, 'sslclient'], [1, undefined], [1, 'any']),
      hostname: weighted<string | undefined>([3, undefined], [3, LEAF_HOST], [1, 'other.example.com'], [1, 'x.example.com']),
      ip: weighted<string | undefined>([8, undefined], [1, '10.1.2.3']),
      mutations: fc.array(mutationArb(n), { maxLength: maxMutations }),
    });
  });
}

export { KEY_NAMES };
