// Every known, documented difference between pgtls and an oracle, in one place, classified.
// A disagreement that matches an entry is counted under the entry's id (and kind) in the
// report instead of as "unexplained"; nothing is hidden: the report lists every class with
// its count, and `docs/fuzzing.md` points here. Add an entry only with the reason.

import { X509_V_ERR } from '../path/errors.js';
import type { CaseSpec } from './model.js';
import type { DiffKind, OracleName, Verdict } from './verdict.js';

export type DifferenceKind =
  /** the oracle cannot express the case faithfully (not a pgtls or OpenSSL bug) */
  | 'oracle-limitation'
  /** pgtls decides differently on purpose, documented in src/path */
  | 'pgtls-choice'
  /** a pgtls bug, reported with a vector under vectors/fuzz/, not fixed yet */
  | 'open-bug';

export interface Disagreement {
  oracle: OracleName;
  kind: DiffKind;
  ours: Verdict;
  theirs: Verdict;
  spec: CaseSpec;
}

export interface KnownDifference {
  id: string;
  kind: DifferenceKind;
  oracle: OracleName | 'any';
  description: string;
  /** vectors/fuzz/<dir> holding a minimized case, when there is one */
  vector?: string;
  matches(d: Disagreement): boolean;
}

const hasMutation = (s: CaseSpec, ...ops: string[]) => s.mutations.some((m) => ops.includes(m.op));

const codesOf = (v: Verdict) => new Set(v.errors.map((e) => Number(e.split('@')[0])));

// A fixed open bug leaves this list; its vectors stay under vectors/fuzz/fixed/ as regression
// cases (test/fuzz/vectors.test.ts replays them; vectors/fuzz/README.md names the rule).
export const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    id: 'openssl-apps-skip-undecodable',
    kind: 'oracle-limitation',
    oracle: 'openssl',
    description:
      '`openssl verify -untrusted FILE` and `-CRLfile FILE` read FILE through OSSL_STORE, which skips PEM blocks it cannot decode and ' +
      'keeps the others; the case then fails (or passes) without that certificate or CRL. pgtls, like PostgreSQL loading a chain or CRL ' +
      'file, refuses the whole input.',
    matches: (d) => d.kind === 'load-we-reject' && /^(untrusted|crl)\[/.test(d.ours.note ?? ''),
  },
  {
    id: 'openssl-verify-partial-wildcards',
    kind: 'oracle-limitation',
    oracle: 'openssl',
    description:
      '`openssl verify -verify_hostname` cannot set X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, so it matches `d*.example.com`; pgtls checks ' +
      'host names with NO_PARTIAL_WILDCARDS (as the PostgreSQL-like harness of the conformance README). Not a pgtls bug.',
    matches: (d) =>
      codesOf(d.ours).has(X509_V_ERR.HOSTNAME_MISMATCH) &&
      !codesOf(d.theirs).has(X509_V_ERR.HOSTNAME_MISMATCH) &&
      d.spec.hostname !== undefined &&
      hasMutation(d.spec, 'san-wild'),
  },
  {
    id: 'node-tls-ca-read-as-x509-aux',
    kind: 'oracle-limitation',
    oracle: 'node-tls',
    description:
      "Node reads the client's `ca` with PEM_read_bio_X509_AUX (d2i_X509_AUX: bytes after a certificate inside its PEM block must be " +
      'X509_CERT_AUX trust settings) and stops silently at the first block it cannot read, so a CA with other trailing bytes is not ' +
      'trusted (UNABLE_TO_GET_ISSUER_CERT / LEAF_SIGNATURE). PostgreSQL (ssl_ca_file, sslrootcert) and `openssl verify -CAfile` read CA ' +
      'files with X509_STORE_load_file (PEM_X509_INFO_read_bio: d2i_X509, trailing bytes ignored), as pgtls does.',
    matches: (d) => {
      if (!hasMutation(d.spec, 'der-trailing')) return false;
      const ours = codesOf(d.ours);
      return [...codesOf(d.theirs)].some(
        (c) =>
          (c === X509_V_ERR.UNABLE_TO_GET_ISSUER_CERT ||
            c === X509_V_ERR.UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
            c === X509_V_ERR.UNABLE_TO_VERIFY_LEAF_SIGNATURE) &&
          !ours.has(c),
      );
    },
  },
  {
    id: 'tls-server-refuses-chain',
    kind: 'oracle-limitation',
    oracle: 'node-tls',
    description:
      'The in-process TLS oracle needs OpenSSL on the server side to load the presented chain; a leaf or intermediate it refuses to ' +
      'load (while `openssl verify` and pgtls read it) cannot be presented, so the TLS oracle reports a load failure. `openssl verify` judges these cases.',
    matches: (d) => d.kind === 'load-we-accept' && d.oracle === 'node-tls' && d.theirs.note?.startsWith('server:') === true,
  },
];

export function classify(d: Disagreement): KnownDifference | undefined {
  return KNOWN_DIFFERENCES.find((k) => (k.oracle === 'any' || k.oracle === d.oracle) && k.matches(d));
}
