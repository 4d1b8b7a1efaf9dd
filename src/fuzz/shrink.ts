// Delta debugging over a case: try simpler variants (drop a mutation, drop a CA from the
// chain, reset a bundle/CRL/purpose/name field, reset a certificate field to its plain
// value), keep the first that still shows the same disagreement, repeat until nothing
// simpler reproduces. Candidates of one step are judged in one oracle batch (one process
// call for `openssl verify`). Works on pooled mutants too, which fast-check's own shrinking
// cannot reach since they are not values of one arbitrary.

import type { Disagreement } from './known-differences.js';
import type { CaseSpec, CertSpecLite } from './model.js';

const PLAIN_CA: Omit<CertSpecLite, 'key' | 'name'> = {
  validity: 'ok',
  bc: 'ca',
  ku: 'none',
  eku: 'none',
  san: 'none',
  nc: 'none',
  ids: true,
  cnHost: false,
  version: 'v3',
};
const PLAIN_LEAF: Omit<CertSpecLite, 'key' | 'name'> = {
  validity: 'ok',
  bc: 'none',
  ku: 'none',
  eku: 'none',
  san: 'none',
  nc: 'none',
  ids: true,
  cnHost: true,
  version: 'v3',
};

const clone = (s: CaseSpec): CaseSpec => JSON.parse(JSON.stringify(s));

/** Simpler variants of `s`, most aggressive first. */
export function candidates(s: CaseSpec): CaseSpec[] {
  const out: CaseSpec[] = [];
  const n = s.chain.length;
  // drop one CA (mutations on it go, later ones shift down)
  for (let k = 0; k < n - 1; k++) {
    const c = clone(s);
    c.chain.splice(k, 1);
    c.mutations = c.mutations.filter((m) => m.at !== k).map((m) => (m.at > k ? { ...m, at: m.at - 1 } : m));
    if (c.crl.revoke !== undefined) c.crl.revoke = Math.min(c.crl.revoke, c.chain.length - 1);
    out.push(c);
  }
  for (let i = 0; i < s.mutations.length; i++) {
    const c = clone(s);
    c.mutations.splice(i, 1);
    out.push(c);
  }
  // Each field that differs from its simplest value gives one smaller case with it reset.
  const simpler: [differs: (c: CaseSpec) => boolean, reset: (c: CaseSpec) => void][] = [
    [
      (c) => c.crl.mode !== 'none',
      (c) => {
        c.crl = { mode: 'none' };
        c.mutations = c.mutations.filter((m) => !('crl' in m));
      },
    ],
    [
      (c) => c.crl.revoke !== undefined,
      (c) => {
        delete c.crl.revoke;
      },
    ],
    [
      (c) => c.anchor !== 'root',
      (c) => {
        c.anchor = 'root';
      },
    ],
    [
      (c) => c.bundle.drop !== undefined,
      (c) => {
        delete c.bundle.drop;
      },
    ],
    [
      (c) => c.bundle.impostor,
      (c) => {
        c.bundle.impostor = false;
      },
    ],
    [
      (c) => c.bundle.cross !== 'none',
      (c) => {
        c.bundle.cross = 'none';
      },
    ],
    [
      (c) => c.bundle.shuffle !== 0,
      (c) => {
        c.bundle.shuffle = 0;
      },
    ],
    [
      (c) => c.bundle.dup,
      (c) => {
        c.bundle.dup = false;
      },
    ],
    [
      (c) => c.bundle.leafInBundle,
      (c) => {
        c.bundle.leafInBundle = false;
      },
    ],
    [
      (c) => c.hostname !== undefined,
      (c) => {
        delete c.hostname;
      },
    ],
    [
      (c) => c.ip !== undefined,
      (c) => {
        delete c.ip;
      },
    ],
    [
      (c) => c.purpose !== 'sslserver',
      (c) => {
        c.purpose = 'sslserver';
      },
    ],
  ];
  for (const [differs, reset] of simpler) {
    if (!differs(s)) continue;
    const c = clone(s);
    reset(c);
    out.push(c);
  }
  s.chain.forEach((cert, i) => {
    const plain = i === n - 1 ? PLAIN_LEAF : PLAIN_CA;
    for (const k of Object.keys(plain) as (keyof typeof plain)[]) {
      if (cert[k] === plain[k]) continue;
      const c = clone(s);
      (c.chain[i] as unknown as Record<string, unknown>)[k] = plain[k];
      out.push(c);
    }
    if (cert.key !== 'ed25519-1' && cert.key.startsWith('rsa')) {
      const c = clone(s);
      c.chain[i].key = 'p256-1';
      out.push(c);
    }
  });
  s.mutations.forEach((m, i) => {
    if (m.n > 0) {
      const c = clone(s);
      c.mutations[i] = { ...m, n: m.n >> 1 };
      out.push(c);
    }
  });
  return out;
}

export async function shrinkCase<D extends Disagreement>(
  d: D,
  still: (specs: CaseSpec[]) => Promise<(D | undefined)[]>,
  maxSteps = 60,
): Promise<D> {
  let cur = d;
  for (let step = 0; step < maxSteps; step++) {
    const cands = candidates(cur.spec);
    if (!cands.length) break;
    const res = await still(cands);
    const i = res.findIndex((r) => r !== undefined);
    if (i < 0) break;
    cur = res[i]!;
  }
  return cur;
}
