// Every known, documented difference between pgtls and an oracle, in one place, classified.
// A disagreement that matches an entry is counted under the entry's id (and kind) in the
// report instead of as "unexplained"; nothing is hidden: the report lists every class with
// its count, and `docs/fuzzing.md` points here. Add an entry only with the reason.

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

const CRL_CODES = new Set([3, 5, 8, 11, 12, 15, 16, 23, 33, 35, 36, 44, 54]);
const codesOf = (v: Verdict) => new Set(v.errors.map((e) => Number(e.split('@')[0])));
const theirExtraCodes = (d: Disagreement) => {
  const ours = codesOf(d.ours);
  return [...codesOf(d.theirs)].filter((c) => !ours.has(c));
};
/** the signing key of chain[i] */
const signerOf = (s: CaseSpec, i: number) => s.chain[Math.max(0, i - 1)].key;

export const KNOWN_DIFFERENCES: KnownDifference[] = [
  {
    id: 'anchor-not-crl-checked',
    kind: 'open-bug',
    oracle: 'any',
    vector: 'vectors/fuzz/anchor-not-crl-checked',
    description:
      'With CRL_CHECK_ALL OpenSSL checks revocation of every certificate of the chain up to and including the trust anchor ' +
      '(check_revocation loops to the last one), so a self-signed trusted leaf, or a root, listed in (or lacking a usable) CRL of its own ' +
      'gets CERT_REVOKED / KEYUSAGE_NO_CRL_SIGN / CRL_HAS_EXPIRED / DIFFERENT_CRL_SCOPE / UNABLE_TO_GET_CRL...; pgtls skips the anchor. ' +
      'Errors after it then differ too (OpenSSL checks revocation before validity times).',
    matches: (d) => {
      const n = d.spec.chain.length;
      if (d.spec.crl.mode === 'none') return false;
      const anchorCrl = n === 1 || (d.spec.crl.revoke !== undefined && d.spec.crl.revoke % n === 0);
      const ours = new Set(d.ours.errors);
      // a CRL error OpenSSL reports on the top of the chain it built (the deepest error; the TLS oracle gives no depth)
      const top = Math.max(...[...d.ours.errors, ...d.theirs.errors].map((e) => Number(e.split('@')[1])));
      const atTop = d.theirs.errors.some((e) => !ours.has(e) && CRL_CODES.has(Number(e.split('@')[0])) && (e.endsWith(`@${top}`) || e.endsWith('@-1')));
      return (anchorCrl && theirExtraCodes(d).some((c) => CRL_CODES.has(c))) || atTop;
    },
  },
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
    id: 'trailing-bytes-after-der',
    kind: 'open-bug',
    oracle: 'any',
    vector: 'vectors/fuzz/trailing-bytes-after-der',
    description:
      'Bytes after the certificate inside a PEM block: OpenSSL (d2i_X509 on the decoded block) ignores them and loads the certificate, ' +
      'PostgreSQL too; pgtls refuses the file (DerError TRAILING_BYTES).',
    matches: (d) => d.kind === 'load-we-reject' && hasMutation(d.spec, 'der-trailing'),
  },
  {
    id: 'undecodable-public-key',
    kind: 'open-bug',
    oracle: 'any',
    vector: 'vectors/fuzz/undecodable-public-key',
    description:
      'A SubjectPublicKeyInfo damaged so that OpenSSL cannot decode the key (e.g. a broken RSAPublicKey inside the BIT STRING): OpenSSL ' +
      'refuses to load such a leaf ("unsupported"), rates such a key EE_KEY_TOO_SMALL / CA_KEY_TOO_SMALL, and never takes such a ' +
      'certificate as an issuer (check_sig_alg_match finds no key: UNABLE_TO_GET_ISSUER_CERT_LOCALLY lower in the chain); pgtls parses ' +
      'the key as unknown and goes on.',
    matches: (d) => {
      if (!hasMutation(d.spec, 'tbs-bit-flip', 'der-bit-flip', 'tbs-tag-corrupt', 'tbs-len-corrupt', 'tbs-byte-insert', 'tbs-truncate-ext')) return false;
      if (theirExtraCodes(d).some((c) => c === 66 || c === 67)) return true;
      if (d.kind === 'load-we-accept' && /ossl_store_handle_load_result:unsupported|Could not read certificate/.test(d.theirs.note ?? '')) return true;
      // OpenSSL does not take the damaged CA as an issuer (no usable key): its first error is 20 where ours is later or elsewhere
      const [o, t] = [d.ours.errors[0], d.theirs.errors[0]];
      const damagedCa = d.spec.mutations.some((m) => m.at < d.spec.chain.length - 1 && !('crl' in m) && /^(tbs-|der-bit)/.test(m.op));
      if (!damagedCa) return false;
      if (t && t.startsWith('20@') && (!o || !o.startsWith('20@') || Number(t.split('@')[1]) < Number(o.split('@')[1]))) return true;
      // ... or OpenSSL built another path around it (a cross-signed copy) where we report its broken signature
      const theirs = new Set(d.theirs.errors);
      return d.ours.errors.some((e) => e.startsWith('7@') && !e.endsWith('@0') && !theirs.has(e));
    },
  },
  {
    id: 'tbs-pss-params-issuer-match',
    kind: 'open-bug',
    oracle: 'any',
    vector: 'vectors/fuzz/tbs-pss-params-issuer-match',
    description:
      "Malformed RSASSA-PSS parameters in tbsCertificate.signature (outer algorithm intact): OpenSSL's check_sig_alg_match compares the " +
      'algorithm OID with the issuer key type only and finds the issuer; pgtls does not, and reports UNABLE_TO_GET_ISSUER_CERT_LOCALLY (20).',
    matches: (d) =>
      (d.ours.errors[0]?.startsWith('20@') ?? false) &&
      !codesOf(d.theirs).has(20) &&
      d.spec.mutations.some((m) => m.op.startsWith('tbs-') && signerOf(d.spec, m.at) === 'rsapss2048-1'),
  },
  {
    id: 'name-value-undecodable',
    kind: 'open-bug',
    oracle: 'any',
    vector: 'vectors/fuzz/name-value-undecodable',
    description:
      'A name attribute value OpenSSL cannot decode: a tag that is not one of the string types allowed there (a context tag such as ' +
      '[12], or a universal non-string tag: "mstring not universal" / "mstring wrong tag"), or an invalid UTF8String ("invalid ' +
      'utf8string", OpenSSL canonicalizes names at load time). OpenSSL refuses to load the certificate; pgtls loads it.',
    matches: (d) => d.kind === 'load-we-accept' && hasMutation(d.spec, 'der-bit-flip', 'tbs-bit-flip', 'tbs-tag-corrupt', 'crl-tbs-bit-flip') && /mstring (not universal|wrong tag)|invalid (utf8|bmp|universal)string/.test(d.theirs.note ?? ''),
  },
  {
    id: 'crl-openssl-cannot-parse',
    kind: 'open-bug',
    oracle: 'any',
    vector: 'vectors/fuzz/crl-openssl-cannot-parse',
    description:
      'A CRL damaged at byte level that OpenSSL cannot parse (Node: "Failed to parse CRL"; `openssl verify`: "Could not read any ' +
      'CRLs" when it is the only one, otherwise it skips it, see openssl-apps-skip-undecodable), which pgtls reads and uses.',
    matches: (d) => d.kind === 'load-we-accept' && /Failed to parse CRL|Could not read .*CRLs/.test(d.theirs.note ?? '') && hasMutation(d.spec, 'crl-tbs-bit-flip'),
  },
  {
    id: 'openssl-verify-partial-wildcards',
    kind: 'oracle-limitation',
    oracle: 'openssl',
    description:
      '`openssl verify -verify_hostname` cannot set X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS, so it matches `d*.example.com`; pgtls checks ' +
      'host names with NO_PARTIAL_WILDCARDS (as the PostgreSQL-like harness of the conformance README). Not a pgtls bug.',
    matches: (d) => codesOf(d.ours).has(62) && !codesOf(d.theirs).has(62) && d.spec.hostname !== undefined && hasMutation(d.spec, 'san-wild'),
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
