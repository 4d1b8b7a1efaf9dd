// File access for the fuzzer (Node only): the fixed keys from vectors/keys, the corpus of
// x509-limbo and PKITS certificates read in place from ../shared/conformance, and writing
// a campaign's summary and finding vectors to an output directory.

import { constants, createPrivateKey, sign as nodeSign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { utf8Encode } from '../der/index.js';
import { parseCertificate, parseCertificates } from '../x509/certificate.js';
import { parsePrivateKey } from '../x509/keys.js';
import type { Certificate, PrivateKey } from '../x509/types.js';
import type { Signer } from '../factory/index.js';
import type { Summary } from './campaign.js';
import type { BuiltCase } from './build.js';
import { decodePemOrDer } from '../der/index.js';
import { VECTOR_FILES, type CaseJson } from './vector.js';
import { addToCorpus, type Corpus } from './corpus.js';
import { KEY_NAMES, type KeyName, type KeyRing } from './model.js';
import { deterministicSigner } from './signing.js';
import { generatedCorpus } from './seed-corpus.js';

/** The repository root (this file is src/fuzz/ or dist/fuzz/). */
const REPO_ROOT = resolve(import.meta.dirname, '../..');

export function loadKeys(dir = join(REPO_ROOT, 'vectors/keys')): { keys: KeyRing; pems: Record<KeyName, string> } {
  const keys = {} as KeyRing;
  const pems = {} as Record<KeyName, string>;
  for (const k of KEY_NAMES) {
    pems[k] = readFileSync(join(dir, `${k}.pem`), 'utf8');
    keys[k] = parsePrivateKey(utf8Encode(pems[k]));
  }
  return { keys, pems };
}

/**
 * node:crypto for the deterministic schemes (Ed25519, Ed448, RSA PKCS#1 v1.5: the same bytes
 * src/crypto would give, faster), src/crypto for the rest (ECDSA there is RFC 6979
 * deterministic, node:crypto's is randomized; PSS gets a salt derived from the message), so a
 * seed replays byte for byte.
 */
export function fastSigner(pems: Record<KeyName, string>, keys: KeyRing): Signer {
  const pure = deterministicSigner();
  const objs = new Map<PrivateKey, KeyObject>();
  for (const k of KEY_NAMES) objs.set(keys[k], createPrivateKey(pems[k]));
  return (alg, key, msg) => {
    const ko = objs.get(key);
    if (ko && (alg.kind === 'ed25519' || alg.kind === 'ed448') && key.kind === alg.kind) return new Uint8Array(nodeSign(null, msg, ko));
    if (
      ko &&
      alg.kind === 'rsa-pkcs1' &&
      key.kind === 'rsa' &&
      !key.pss &&
      ['sha1', 'sha224', 'sha256', 'sha384', 'sha512'].includes(alg.hash)
    ) {
      return new Uint8Array(nodeSign(alg.hash, msg, { key: ko, padding: constants.RSA_PKCS1_PADDING }));
    }
    return pure(alg, key, msg);
  };
}

/** Up to `max` certificates from the conformance suites, in a fixed order; [] when the folder is absent. */
function conformanceCertificates(dir = resolve(REPO_ROOT, '../shared/conformance'), max = 1500): { certs: Certificate[]; source: string } {
  const certs: Certificate[] = [];
  const sources: string[] = [];
  const limbo = join(dir, 'x509-limbo/limbo.json.gz');
  if (existsSync(limbo)) {
    const tcs = (
      JSON.parse(gunzipSync(readFileSync(limbo)).toString('utf8')) as {
        testcases: { id: string; peer_certificate: string; trusted_certs: string[]; untrusted_intermediates: string[] }[];
      }
    ).testcases;
    // every non-bettertls case (the interesting ones) and a stride through the rest
    const chosen = tcs.filter((t, i) => !t.id.startsWith('bettertls') || i % 40 === 0);
    for (const t of chosen) {
      for (const pem of [t.peer_certificate, ...t.trusted_certs, ...t.untrusted_intermediates]) {
        if (certs.length >= max) break;
        try {
          certs.push(...parseCertificates(utf8Encode(pem)));
        } catch {
          /* a deliberately unparseable certificate: its parts are not usable */
        }
      }
    }
    sources.push('x509-limbo');
  }
  const pk = join(dir, 'pkits/certs');
  if (existsSync(pk)) {
    for (const f of readdirSync(pk).sort()) {
      if (certs.length >= max + 400) break;
      try {
        certs.push(parseCertificate(new Uint8Array(readFileSync(join(pk, f)))));
      } catch {
        /* skip */
      }
    }
    sources.push('PKITS');
  }
  return { certs, source: sources.join('+') || 'none' };
}

/** Generated parts plus the conformance suites' when present. */
export function loadCorpus(keys: KeyRing, conformanceDir?: string | false): Corpus {
  const c = generatedCorpus(keys);
  if (conformanceDir === false) return c;
  const { certs, source } = conformanceCertificates(conformanceDir ?? undefined);
  if (certs.length) addToCorpus(c, certs, source);
  return c;
}

/** out/summary.json and out/findings/<id>/... */
export function writeOutput(out: string, s: Summary): void {
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'summary.json'), `${JSON.stringify(s, null, 1)}\n`);
  for (const f of s.findings) {
    const d = join(out, 'findings', f.id);
    mkdirSync(d, { recursive: true });
    for (const [name, text] of Object.entries(f.files)) writeFileSync(join(d, name), text, { mode: name.endsWith('.sh') ? 0o755 : 0o644 });
  }
}

export function readSummary(dir: string): Summary {
  const p = existsSync(join(dir, 'summary.json')) ? join(dir, 'summary.json') : dir;
  return JSON.parse(readFileSync(p, 'utf8')) as Summary;
}

/** A vector directory (findings/<id>/ or vectors/fuzz/<name>/) as the case it was, from its PEM files. */
export function readVector(dir: string): { built: BuiltCase; meta: CaseJson } {
  const meta = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as CaseJson;
  // PEM blocks are read without parsing the DER inside: a vector may hold bytes no parser accepts
  const ders = (f: string) =>
    existsSync(join(dir, f)) ? decodePemOrDer(new Uint8Array(readFileSync(join(dir, f)))).map((b) => b.der) : [];
  const built: BuiltCase = {
    spec: meta.spec,
    time: new Date(meta.time),
    leaf: ders(VECTOR_FILES.leaf)[0],
    trusted: ders(VECTOR_FILES.trusted),
    untrusted: ders(VECTOR_FILES.untrusted),
    crls: ders(VECTOR_FILES.crls),
    purpose: meta.purpose as BuiltCase['purpose'],
    hostname: meta.hostname,
    ip: meta.ip,
  };
  return { built, meta };
}
