// A Scenario made concrete: certificates and keys issued with the factory (the docs' recipes,
// their usual mistakes, and the leaf fields the form edits), laid out as the files of a data
// directory and a client HOME, exactly as the exported script writes them. Files dropped onto
// the page replace the generated ones. Runs in the worker.

import {
  makeCertificate,
  makeCrl,
  makeHierarchy,
  privateKeyPem,
  type ExtensionSpec,
  type GeneralNameSpec,
  type Hierarchy,
  type KeyUsageName,
} from '../../src/factory/index.js';
import { parseCertificate } from '../../src/x509/index.js';
import { keysFor } from './keys.js';
import type { DroppedFile, Scenario } from './model.js';

export interface ScenarioFile {
  /** relative to the scenario directory: data/... or home/.postgresql/... */
  path: string;
  /** the contents: text, or bytes for a dropped binary file */
  text: string | Uint8Array;
  mode: number;
}

const bytesOf = (f: DroppedFile): string | Uint8Array => ('text' in f ? f.text : Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0)));

const DAY = 86_400_000;

/** The leaf re-issued as v3 with the form's extensions (same key, issuer and validity). */
function reissueLeaf(h: Hierarchy, s: Scenario, now: Date): Hierarchy {
  const l = s.leaf;
  const ext: ExtensionSpec[] = [];
  if (s.sans.length) ext.push({ type: 'subjectAltName', names: s.sans as GeneralNameSpec[] });
  if (l.ca === 'true' || l.ca === 'false')
    ext.push({
      type: 'basicConstraints',
      ca: l.ca === 'true',
      ...(l.pathLen !== undefined && l.ca === 'true' ? { pathLen: l.pathLen } : {}),
      critical: true,
    });
  if (l.keyUsage?.length) ext.push({ type: 'keyUsage', usages: l.keyUsage as KeyUsageName[], critical: true });
  if (l.eku?.length) ext.push({ type: 'extKeyUsage', usages: l.eku });
  const old = parseCertificate(h.server.cert.der);
  const selfSigned = h.kind === 'self-signed';
  const issuer = h.intermediate ?? h.root;
  const cert = makeCertificate({
    version: 3,
    subject: [{ CN: s.mistakes.includes('wrong-cn') ? `wrong-${s.cn}` : s.cn }],
    subjectKey: keysFor(s.keyType).server,
    ...(selfSigned ? { selfSigned: true, issuerKey: keysFor(s.keyType).server } : { issuerCert: issuer.cert, issuerKey: issuer.key }),
    notBefore: new Date(old.notBefore.ms ?? now.getTime()),
    notAfter: new Date(old.notAfter.ms ?? now.getTime() + s.days * DAY),
    extensions: selfSigned ? [{ type: 'subjectKeyIdentifier' }, { type: 'authorityKeyIdentifier' }, ...ext] : ext,
  });
  const chainPem = cert.pem + (h.intermediate && !s.mistakes.includes('leaf-without-intermediate') ? h.intermediate.cert.pem : '');
  return {
    ...h,
    server: { ...h.server, cert },
    serverCrtPem: chainPem,
    ...(selfSigned ? { root: { ...h.root, cert }, rootCrtPem: cert.pem } : {}),
  };
}

/**
 * The CRLs for the form's revocations, PEM one after another: the root's (revoking the client,
 * the intermediate, or the leaf it signed) and, in the three-level recipe, the intermediate's
 * (revoking the leaf), since with a CRL libpq and the server check every CA in the chain
 * (CRL_CHECK_ALL). Without revocations or a client CRL it is the factory's CRL unchanged.
 */
function crlPem(h: Hierarchy, s: Scenario, now: Date): string | undefined {
  if (!s.revoke.length && !s.clientCrl) return h.crl?.pem;
  const on = (r: Scenario['revoke'][number]) => s.revoke.includes(r);
  const serial = (c: { cert: { ref: { serial: Uint8Array } } }) => ({ serial: { raw: c.cert.ref.serial }, date: now });
  const expired = s.mistakes.includes('crl-expired');
  const times = expired
    ? { thisUpdate: new Date(now.getTime() - 60 * DAY), nextUpdate: new Date(now.getTime() - 30 * DAY) }
    : { thisUpdate: now, nextUpdate: new Date(now.getTime() + 30 * DAY) };
  const byRoot = [
    ...(h.client && (on('client') || s.mistakes.includes('revoked-client')) ? [serial(h.client)] : []),
    ...(h.intermediate && on('intermediate') ? [serial(h.intermediate)] : []),
    ...(!h.intermediate && on('server') ? [serial(h.server)] : []),
  ];
  const root = makeCrl({ issuerCert: h.root.cert, issuerKey: h.root.key, ...times, revoked: byRoot });
  const inter =
    h.intermediate &&
    makeCrl({ issuerCert: h.intermediate.cert, issuerKey: h.intermediate.key, ...times, revoked: on('server') ? [serial(h.server)] : [] });
  return root.pem + (inter ? inter.pem : '');
}

export function buildFiles(s: Scenario, now = new Date()): ScenarioFile[] {
  const customLeaf = Boolean(s.leaf.ca || s.leaf.keyUsage?.length || s.leaf.eku?.length);
  let h = makeHierarchy(s.kind, {
    cn: s.cn,
    sans: s.sans.length ? (s.sans as GeneralNameSpec[]) : undefined,
    days: s.days,
    keys: keysFor(s.keyType),
    clientUser: s.clientCertCn || undefined,
    crl: s.crl || s.clientCrl,
    mistakes: s.mistakes,
    now,
  });
  if (customLeaf) h = reissueLeaf(h, s, now);
  const out: ScenarioFile[] = [];
  const add = (path: string, text: string | Uint8Array, mode = 0o644) => out.push({ path, text, mode });
  add('data/postgresql.conf', s.conf);
  add('data/pg_hba.conf', s.hba);
  add('data/pg_ident.conf', s.ident);
  add('data/server.crt', h.serverCrtPem);
  add('data/server.key', h.server.keyPem, s.keyMode);
  if (s.serverCa) add('data/root.crt', h.rootCrtPem);
  const crl = s.crl || s.clientCrl ? crlPem(h, s, now) : undefined;
  if (s.crl && crl) add('data/root.crl', crl);
  if (s.clientRoot === 'root') add('home/.postgresql/root.crt', h.rootCrtPem);
  if (s.clientRoot === 'intermediate' && h.intermediate) add('home/.postgresql/root.crt', h.intermediate.cert.pem);
  if (s.clientCrl && crl) add('home/.postgresql/root.crl', crl);
  if (s.clientCertCn && h.client) {
    add('home/.postgresql/postgresql.crt', h.client.cert.pem);
    add('home/.postgresql/postgresql.key', privateKeyPem(h.client.key), 0o600);
  }
  for (const [path, f] of Object.entries(s.files)) {
    const text = bytesOf(f);
    const i = out.findIndex((o) => o.path === path);
    const mode = path.endsWith('.key') ? 0o600 : 0o644;
    if (i >= 0) out[i] = { ...out[i], text };
    else add(path, text, mode);
  }
  return out;
}
