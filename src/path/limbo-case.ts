// One x509-limbo testcase as verifyChain options, mapped the way the OpenSSL "pglike" harness
// did (see ../shared/conformance/README.md): purpose from extended_key_usage (default
// sslserver), CRL_CHECK_ALL when the case has CRLs, security level 2, max_chain_depth as
// the verify depth, DNS names through X509_check_host, IPs through X509_check_ip.

import { utf8Encode } from '../der/index.js';
import { OID } from '../der/index.js';
import { parseCertificates } from '../x509/certificate.js';
import type { Certificate, Crl } from '../x509/types.js';
import type { Profile, VerifyResult } from './context.js';
import type { Verifier } from './signature.js';
import { parseIpAsc } from './hostname.js';
import type { Purpose } from './purpose.js';
import { verifyChain } from './validator.js';

export interface LimboCase {
  id: string;
  description?: string;
  validation_kind: 'SERVER' | 'CLIENT';
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  signature_algorithms: string[];
  key_usage: string[];
  extended_key_usage: string[];
  expected_result: 'SUCCESS' | 'FAILURE';
  expected_peer_name: { kind: 'DNS' | 'IP' | 'RFC822'; value: string } | null;
  expected_peer_names: unknown[];
  max_chain_depth: number | null;
  crls: string[];
}

export interface LimboOutcome {
  ok: boolean;
  /** true when this case is outside what the profile models (OpenSSL's harness skipped it) */
  skipped?: boolean;
  errorMessage?: string;
  summary: string;
  result?: VerifyResult;
}

const EKU_PURPOSE: Record<string, Purpose> = {
  serverAuth: 'sslserver',
  clientAuth: 'sslclient',
  anyExtendedKeyUsage: 'any',
  [OID.serverAuth]: 'sslserver',
  [OID.clientAuth]: 'sslclient',
  [OID.anyExtendedKeyUsage]: 'any',
};

type CrlParser = (pem: Uint8Array) => Crl[];

export function runLimboCase(tc: LimboCase, profile: Profile, verifier?: Verifier, parseCrls?: CrlParser): LimboOutcome {
  const skipped = tc.validation_kind !== 'SERVER' || tc.signature_algorithms.length > 0 || tc.expected_peer_names.length > 0;
  if (profile === 'openssl' && skipped) return { ok: false, skipped: true, summary: 'skipped' };
  let leaf: Certificate;
  let trusted: Certificate[];
  let untrusted: Certificate[];
  let crls: Crl[] = [];
  try {
    leaf = parseCertificates(utf8Encode(tc.peer_certificate))[0];
    trusted = tc.trusted_certs.flatMap((p) => parseCertificates(utf8Encode(p)));
    untrusted = tc.untrusted_intermediates.flatMap((p) => parseCertificates(utf8Encode(p)));
    if (tc.crls.length) {
      if (!parseCrls) return { ok: false, skipped: true, summary: 'no CRL parser' };
      crls = tc.crls.flatMap((p) => parseCrls(utf8Encode(p)));
    }
  } catch (e) {
    // OpenSSL cannot load the certificate: the harness reports a failure
    return { ok: false, errorMessage: undefined, summary: `parse error: ${e instanceof Error ? e.message : String(e)}` };
  }
  let purpose: Purpose = tc.validation_kind === 'CLIENT' ? 'sslclient' : 'sslserver';
  for (const e of tc.extended_key_usage) if (EKU_PURPOSE[e]) purpose = EKU_PURPOSE[e];
  let hostname: string | undefined;
  let ip: Uint8Array | undefined;
  const peer = tc.expected_peer_name;
  if (peer?.kind === 'DNS') hostname = peer.value;
  else if (peer?.kind === 'IP') ip = parseIpAsc(peer.value) ?? undefined;
  const result = verifyChain({
    leaf,
    trusted,
    untrusted,
    crls,
    time: tc.validation_time ? new Date(tc.validation_time) : new Date(),
    purpose,
    crlMode: crls.length ? 'all' : 'none',
    maxDepth: tc.max_chain_depth ?? undefined,
    authLevel: 2,
    profile,
    hostname,
    ip,
    verifier,
    callback: 'stop',
    extra:
      profile === 'rfc5280'
        ? { keyUsage: tc.key_usage, extendedKeyUsage: tc.extended_key_usage, validationKind: tc.validation_kind }
        : undefined,
  });
  return {
    ok: result.ok,
    errorMessage: result.error?.message,
    summary: result.ok ? 'OK' : `${result.error?.code} ${result.error?.message} at ${result.error?.depth}`,
    result,
  };
}
