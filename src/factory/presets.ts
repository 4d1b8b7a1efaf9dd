// The certificate hierarchies of the PostgreSQL documentation (§19.9.5 "Creating
// Certificates"), built with the same shape OpenSSL 3.0 gives them when the documented
// commands are run with the stock /etc/ssl/openssl.cnf:
//
//   self-signed  `req -new -x509 -days 365 -nodes -subj /CN=...`: v3 with SKI, AKI(keyid),
//                basicConstraints critical CA:TRUE (the config's x509_extensions = v3_ca)
//   root         `x509 -req -days 3650 -extfile openssl.cnf -extensions v3_ca -signkey`: same
//                three extensions
//   intermediate `x509 -req -days 1825 -extfile openssl.cnf -extensions v3_ca -CA root`: same,
//                AKI = root's SKI
//   server       `x509 -req -days 365 -CA ...` without -extfile: a v1 certificate, no extensions
//
// Names use UTF8String (string_mask = utf8only), serials are 20 random octets, signatures
// SHA-256 with the issuer's key. On top of the recipes, the usual mistakes people make, as
// options, for the scenario matrix.

import type { PrivateKey } from '../x509/types.js';
import { makeCertificate, makeCrl, type MadeCertificate, type MadeCrl, type Signer } from './certificate.js';
import type { ExtensionSpec } from './extensions.js';
import type { GeneralNameSpec } from './general-names.js';
import { privateKeyPem } from './private-keys.js';
import { defaultGenerateKey } from './signer.js';

export type KeyType = 'rsa1024' | 'rsa2048' | 'rsa3072' | 'rsa4096' | 'rsa-pss2048' | 'p256' | 'p384' | 'p521' | 'ed25519' | 'ed448';
export const KEY_TYPES: readonly KeyType[] = [
  'rsa2048',
  'rsa3072',
  'rsa4096',
  'rsa-pss2048',
  'p256',
  'p384',
  'p521',
  'ed25519',
  'ed448',
  'rsa1024',
];

export type HierarchyKind = 'self-signed' | 'root-server' | 'chain';

/** Deliberate mistakes, each one a thing users get wrong in real setups. */
export type Mistake =
  | 'leaf-without-intermediate' // server.crt holds only the leaf (chain)
  | 'intermediate-v1' // intermediate signed without -extfile/-extensions v3_ca: a v1 certificate
  | 'intermediate-ca-false' // intermediate with basicConstraints CA:FALSE
  | 'expired-leaf'
  | 'not-yet-valid-leaf'
  | 'wrong-cn' // leaf CN is not the host name asked for
  | 'key-mismatch' // server.key is not the key of server.crt
  | 'revoked-client' // client certificate revoked in the root's CRL
  | 'crl-expired' // the CRL's nextUpdate is in the past
  | 'pathlen-violation'; // root says pathlen:0 yet signs an intermediate (chain)

export const MISTAKES: readonly Mistake[] = [
  'leaf-without-intermediate',
  'intermediate-v1',
  'intermediate-ca-false',
  'expired-leaf',
  'not-yet-valid-leaf',
  'wrong-cn',
  'key-mismatch',
  'revoked-client',
  'crl-expired',
  'pathlen-violation',
];

export interface PresetOptions {
  /** server host name (default dbhost.yourdomain.com, as in the docs) */
  cn?: string;
  rootCn?: string;
  intermediateCn?: string;
  /** subjectAltName entries for the leaf (`DNS:x`, `IP:y`); makes the leaf v3 with that extension only */
  sans?: GeneralNameSpec[];
  /** leaf validity in days (default 365) */
  days?: number;
  rootDays?: number;
  intermediateDays?: number;
  /** key type for every key generated (default rsa2048) */
  keyType?: KeyType;
  /** pre-made keys (tests pass vector keys so nothing generates RSA) */
  keys?: { root?: PrivateKey; intermediate?: PrivateKey; server?: PrivateKey; client?: PrivateKey; other?: PrivateKey };
  generateKey?: (type: KeyType) => PrivateKey;
  /** also issue a client certificate (CN = this user, signed by the root, like the server recipe) */
  clientUser?: string;
  /** issue a CRL from the root (always issued when a mistake needs one) */
  crl?: boolean;
  mistakes?: Mistake[];
  now?: Date;
  signer?: Signer;
}

export interface Issued {
  cert: MadeCertificate;
  key: PrivateKey;
  /** PKCS#8 PEM, as `openssl req -nodes` writes it */
  keyPem: string;
}

export interface Hierarchy {
  kind: HierarchyKind;
  /** the trust anchor (for self-signed, the server certificate itself) */
  root: Issued;
  intermediate?: Issued;
  server: Issued;
  /** server.crt contents: the leaf then the intermediate, as the docs say to bundle them */
  serverCrtPem: string;
  /** root.crt contents */
  rootCrtPem: string;
  client?: Issued;
  crl?: MadeCrl;
  mistakes: Mistake[];
}

const DAY = 86_400_000;
const V3_CA: ExtensionSpec[] = [
  { type: 'subjectKeyIdentifier' },
  { type: 'authorityKeyIdentifier' },
  { type: 'basicConstraints', ca: true, critical: true },
];

export function makeHierarchy(kind: HierarchyKind, o: PresetOptions = {}): Hierarchy {
  const mistakes = o.mistakes ?? [];
  const has = (m: Mistake) => mistakes.includes(m);
  const now = new Date(Math.floor((o.now ?? new Date()).getTime() / 1000) * 1000);
  const after = (days: number) => new Date(now.getTime() + days * DAY);
  const keyType = o.keyType ?? 'rsa2048';
  const gen = o.generateKey ?? defaultGenerateKey;
  const key = (which: keyof NonNullable<PresetOptions['keys']>) => o.keys?.[which] ?? gen(keyType);
  const issued = (cert: MadeCertificate, k: PrivateKey): Issued => ({ cert, key: k, keyPem: privateKeyPem(k) });
  const cn = o.cn ?? 'dbhost.yourdomain.com';
  const leafCn = has('wrong-cn') ? `wrong-${cn}` : cn;
  const days = o.days ?? 365;
  const signer = o.signer;

  const leafValidity = has('expired-leaf')
    ? { notBefore: new Date(now.getTime() - (days + 30) * DAY), notAfter: new Date(now.getTime() - 30 * DAY) }
    : has('not-yet-valid-leaf')
      ? { notBefore: after(1), notAfter: after(days + 1) }
      : { notBefore: now, notAfter: after(days) };
  /** the docs' client recipe: `x509 -req -CA root.crt` without -extfile, so v1 like the server's */
  const issueClient = (user: string, caCert: MadeCertificate, caKey: PrivateKey): Issued => {
    const ck = key('client');
    const cert = makeCertificate({
      version: 1,
      subject: [{ CN: user }],
      subjectKey: ck,
      issuerCert: caCert,
      issuerKey: caKey,
      notBefore: now,
      notAfter: after(days),
      signer,
    });
    return issued(cert, ck);
  };
  const leafExtensions: ExtensionSpec[] | undefined = o.sans?.length ? [{ type: 'subjectAltName', names: o.sans }] : undefined;

  if (kind === 'self-signed') {
    const k = key('server');
    const cert = makeCertificate({
      subject: [{ CN: leafCn }],
      selfSigned: true,
      issuerKey: k,
      ...leafValidity,
      extensions: [...V3_CA, ...(leafExtensions ?? [])],
      signer,
    });
    const server = issued(cert, has('key-mismatch') ? key('other') : k);
    // the self-signed certificate is a CA (CA:TRUE), so it can sign a client certificate too
    const client = o.clientUser !== undefined ? issueClient(o.clientUser, cert, k) : undefined;
    return {
      kind,
      root: { cert, key: k, keyPem: privateKeyPem(k) },
      server,
      serverCrtPem: cert.pem,
      rootCrtPem: cert.pem,
      client,
      mistakes,
    };
  }

  const rootKey = key('root');
  const rootCert = makeCertificate({
    subject: [{ CN: o.rootCn ?? 'root.yourdomain.com' }],
    selfSigned: true,
    issuerKey: rootKey,
    notBefore: now,
    notAfter: after(o.rootDays ?? 3650),
    extensions: has('pathlen-violation') ? [V3_CA[0], V3_CA[1], { type: 'basicConstraints', ca: true, pathLen: 0, critical: true }] : V3_CA,
    signer,
  });
  const root = issued(rootCert, rootKey);

  let intermediate: Issued | undefined;
  if (kind === 'chain') {
    const ik = key('intermediate');
    const interExt: ExtensionSpec[] | undefined = has('intermediate-v1')
      ? undefined
      : has('intermediate-ca-false')
        ? [V3_CA[0], V3_CA[1], { type: 'basicConstraints', ca: false, critical: true }]
        : V3_CA;
    intermediate = issued(
      makeCertificate({
        version: interExt ? 3 : 1,
        subject: [{ CN: o.intermediateCn ?? 'intermediate.yourdomain.com' }],
        subjectKey: ik,
        issuerCert: rootCert,
        issuerKey: rootKey,
        notBefore: now,
        notAfter: after(o.intermediateDays ?? 1825),
        extensions: interExt,
        signer,
      }),
      ik,
    );
  }
  const leafIssuer = intermediate ?? root;
  const sk = key('server');
  const serverCert = makeCertificate({
    version: leafExtensions ? 3 : 1,
    subject: [{ CN: leafCn }],
    subjectKey: sk,
    issuerCert: leafIssuer.cert,
    issuerKey: leafIssuer.key,
    ...leafValidity,
    extensions: leafExtensions,
    signer,
  });
  const server = issued(serverCert, has('key-mismatch') ? key('other') : sk);

  const clientUser = o.clientUser ?? (has('revoked-client') ? 'postgres' : undefined);
  const client = clientUser !== undefined ? issueClient(clientUser, rootCert, rootKey) : undefined;

  let crl: MadeCrl | undefined;
  if (o.crl || has('revoked-client') || has('crl-expired')) {
    crl = makeCrl({
      issuerCert: rootCert,
      issuerKey: rootKey,
      thisUpdate: has('crl-expired') ? new Date(now.getTime() - 60 * DAY) : now,
      nextUpdate: has('crl-expired') ? new Date(now.getTime() - 30 * DAY) : after(30),
      revoked: has('revoked-client') && client ? [{ serial: { raw: client.cert.ref.serial }, date: now }] : [],
      signer,
    });
  }

  const chainPem = serverCert.pem + (intermediate && !has('leaf-without-intermediate') ? intermediate.cert.pem : '');
  return { kind, root, intermediate, server, serverCrtPem: chainPem, rootCrtPem: rootCert.pem, client, crl, mistakes };
}

export const selfSigned = (o?: PresetOptions) => makeHierarchy('self-signed', o);
export const rootServer = (o?: PresetOptions) => makeHierarchy('root-server', o);
export const chain = (o?: PresetOptions) => makeHierarchy('chain', o);
