// Certificate policy processing of RFC 5280 §6.1 (valid_policy_tree, explicit_policy,
// policy_mapping, inhibit_anyPolicy) for the `rfc5280` profile. OpenSSL only runs its
// equivalent (X509_policy_check) with X509_V_FLAG_POLICY_CHECK, which PostgreSQL never sets,
// so the `openssl` profile skips this entirely.

import { OID } from '../der/index.js';
import type { Certificate } from '../x509/types.js';
import type { Ctx } from './context.js';
import { certInfo } from './cert-info.js';
import { X509_V_ERR, X509_V_OK } from './errors.js';

const ANY = OID.anyPolicy;

export interface PolicyInputs {
  /** user-initial-policy-set; default { anyPolicy } */
  initialPolicySet?: string[];
  initialExplicitPolicy?: boolean;
  initialPolicyMappingInhibit?: boolean;
  initialAnyPolicyInhibit?: boolean;
}

interface PNode {
  policy: string;
  expected: Set<string>;
  parent?: PNode;
  children: PNode[];
  depth: number;
}

class Tree {
  levels: PNode[][] = [];
  constructor() {
    this.levels[0] = [{ policy: ANY, expected: new Set([ANY]), children: [], depth: 0 }];
  }
  add(parent: PNode, policy: string, expected: Set<string>): PNode {
    const n: PNode = { policy, expected, parent, children: [], depth: parent.depth + 1 };
    parent.children.push(n);
    (this.levels[n.depth] ??= []).push(n);
    return n;
  }
  remove(n: PNode): void {
    this.levels[n.depth] = this.levels[n.depth].filter((x) => x !== n);
    if (n.parent) n.parent.children = n.parent.children.filter((x) => x !== n);
    for (const c of [...n.children]) this.remove(c);
  }
  /** delete childless nodes above `depth`, bottom-up */
  prune(depth: number): void {
    for (let d = depth - 1; d >= 0; d--) for (const n of [...(this.levels[d] ?? [])]) if (n.children.length === 0) this.remove(n);
  }
  empty(): boolean {
    return (this.levels[0] ?? []).length === 0;
  }
}

/** RFC 5280 6.1 over the chain: X509_V_OK, INVALID_POLICY_EXTENSION (anyPolicy mapped) or NO_EXPLICIT_POLICY */
export function processPolicies(
  ctx: Ctx,
  inputs: PolicyInputs = {},
): typeof X509_V_OK | typeof X509_V_ERR.INVALID_POLICY_EXTENSION | typeof X509_V_ERR.NO_EXPLICIT_POLICY {
  // the trust anchor is not part of the path
  const path = ctx.chain.slice(0, -1).reverse();
  const n = path.length;
  if (n === 0) return X509_V_OK;
  let tree: Tree | null = new Tree();
  let explicit = inputs.initialExplicitPolicy ? 0 : n + 1;
  let inhibitAny = inputs.initialAnyPolicyInhibit ? 0 : n + 1;
  let mapping = inputs.initialPolicyMappingInhibit ? 0 : n + 1;
  for (let i = 1; i <= n; i++) {
    const c: Certificate = path[i - 1];
    const selfIssued = certInfo(c).selfIssued;
    const cps = c.ext.certificatePolicies;
    if (cps && tree) {
      const prev = tree.levels[i - 1] ?? [];
      for (const p of cps) {
        if (p.oid === ANY) continue;
        const matches = prev.filter((node) => node.expected.has(p.oid));
        if (matches.length) for (const m of matches) tree.add(m, p.oid, new Set([p.oid]));
        else for (const m of prev.filter((node) => node.policy === ANY)) tree.add(m, p.oid, new Set([p.oid]));
      }
      if (cps.some((p) => p.oid === ANY) && (inhibitAny > 0 || (i < n && selfIssued))) {
        for (const m of prev) {
          for (const v of m.expected) if (!m.children.some((ch) => ch.policy === v)) tree.add(m, v, new Set([v]));
        }
      }
      tree.prune(i);
      if (tree.empty()) tree = null;
    } else tree = null;
    if (!(explicit > 0 || tree)) return X509_V_ERR.NO_EXPLICIT_POLICY;
    if (i === n) break;
    // preparation for the next certificate
    const maps = c.ext.policyMappings ?? [];
    if (maps.some((m) => m.issuerDomainPolicy === ANY || m.subjectDomainPolicy === ANY)) return X509_V_ERR.INVALID_POLICY_EXTENSION;
    if (tree && maps.length) {
      const byIssuer = new Map<string, Set<string>>();
      for (const m of maps)
        (byIssuer.get(m.issuerDomainPolicy) ?? byIssuer.set(m.issuerDomainPolicy, new Set()).get(m.issuerDomainPolicy)!).add(
          m.subjectDomainPolicy,
        );
      for (const [idp, subjects] of byIssuer) {
        const level = tree.levels[i] ?? [];
        const nodes = level.filter((x) => x.policy === idp);
        if (mapping > 0) {
          if (nodes.length) for (const x of nodes) x.expected = new Set(subjects);
          else {
            const anyNode = level.find((x) => x.policy === ANY);
            if (anyNode?.parent) tree.add(anyNode.parent, idp, new Set(subjects));
          }
        } else {
          for (const x of nodes) tree.remove(x);
          tree.prune(i);
          if (tree.empty()) tree = null;
          if (!tree) break;
        }
      }
    }
    if (!selfIssued) {
      if (explicit > 0) explicit--;
      if (mapping > 0) mapping--;
      if (inhibitAny > 0) inhibitAny--;
    }
    const pc = c.ext.policyConstraints;
    if (pc?.requireExplicitPolicy !== undefined) explicit = Math.min(explicit, pc.requireExplicitPolicy);
    if (pc?.inhibitPolicyMapping !== undefined) mapping = Math.min(mapping, pc.inhibitPolicyMapping);
    if (c.ext.inhibitAnyPolicy !== undefined) inhibitAny = Math.min(inhibitAny, c.ext.inhibitAnyPolicy);
  }
  // wrap-up
  const leaf = path[n - 1];
  if (explicit > 0) explicit--;
  if (leaf.ext.policyConstraints?.requireExplicitPolicy === 0) explicit = 0;
  const initial = inputs.initialPolicySet ?? [ANY];
  if (tree && !initial.includes(ANY)) {
    // valid_policy_node_set: nodes whose parent is an anyPolicy node
    const validSet: PNode[] = [];
    for (const lvl of tree.levels) for (const x of lvl ?? []) if (x.parent && x.parent.policy === ANY) validSet.push(x);
    for (const x of validSet) if (x.policy !== ANY && !initial.includes(x.policy)) tree.remove(x);
    const leafLevel = tree.levels[n] ?? [];
    const anyLeaf = leafLevel.find((x) => x.policy === ANY);
    if (anyLeaf?.parent) {
      for (const p of initial) if (!leafLevel.some((x) => x.policy === p)) tree.add(anyLeaf.parent, p, new Set([p]));
      tree.remove(anyLeaf);
    }
    tree.prune(n);
    if (tree.empty() || (tree.levels[n] ?? []).length === 0) tree = null;
  }
  if (explicit === 0 && !tree) return X509_V_ERR.NO_EXPLICIT_POLICY;
  return X509_V_OK;
}
