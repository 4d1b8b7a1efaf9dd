// The Frankencert corpus: parts (extensions, extension lists, names, validity periods) cut
// out of real certificates, to be grafted into generated ones. Seeded from certificates the
// factory makes (always available) and, through the node adapter, from the x509-limbo and
// PKITS certificates in ../shared/conformance. Order is deterministic so a seed replays.

import type { Certificate } from '../x509/types.js';
import { toHex } from '../der/index.js';

export interface CorpusExtension {
  oid: string;
  critical: boolean;
  value: Uint8Array;
}

export interface Corpus {
  extensions: CorpusExtension[];
  extensionSets: CorpusExtension[][];
  names: Uint8Array[];
  validities: { notBefore: { text: string; type: 'utc' | 'generalized' }; notAfter: { text: string; type: 'utc' | 'generalized' } }[];
  /** where the parts came from, for the report */
  sources: string[];
}

export function emptyCorpus(): Corpus {
  return { extensions: [], extensionSets: [], names: [], validities: [], sources: [] };
}

const MAX_PARTS = 4000;

/** Adds the parts of `certs` (deduplicated by bytes) to the corpus. */
export function addToCorpus(corpus: Corpus, certs: Certificate[], source: string): Corpus {
  const seenExt = new Set(corpus.extensions.map((e) => `${e.oid}|${e.critical}|${toHex(e.value)}`));
  const seenName = new Set(corpus.names.map((n) => toHex(n)));
  for (const c of certs) {
    for (const e of c.extensions) {
      const k = `${e.oid}|${e.critical}|${toHex(e.value)}`;
      if (seenExt.has(k) || corpus.extensions.length >= MAX_PARTS) continue;
      seenExt.add(k);
      corpus.extensions.push({ oid: e.oid, critical: e.critical, value: e.value.slice() });
    }
    if (c.extensions.length && corpus.extensionSets.length < MAX_PARTS) {
      corpus.extensionSets.push(c.extensions.map((e) => ({ oid: e.oid, critical: e.critical, value: e.value.slice() })));
    }
    for (const n of [c.subject.der, c.issuer.der]) {
      const k = toHex(n);
      if (seenName.has(k) || corpus.names.length >= MAX_PARTS) continue;
      seenName.add(k);
      corpus.names.push(n.slice());
    }
    if (corpus.validities.length < MAX_PARTS) {
      const t = (d: Certificate['notBefore']) => ({
        text: d.text,
        type: d.kind === 'UTCTime' ? ('utc' as const) : ('generalized' as const),
      });
      corpus.validities.push({ notBefore: t(c.notBefore), notAfter: t(c.notAfter) });
    }
  }
  corpus.sources.push(`${source}: ${certs.length} certificates`);
  return corpus;
}

/** The i-th element of a list, wrapping; undefined when the list is empty. */
export function pick<T>(list: readonly T[], i: number): T | undefined {
  return list.length ? list[i % list.length] : undefined;
}
