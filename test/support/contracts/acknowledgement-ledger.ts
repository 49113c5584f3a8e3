import * as fs from 'fs';
import * as path from 'path';
import { Validations } from 'aws-cdk-lib';
import { NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';

/** One `Validations.of(scope).acknowledge({ id, reason })` call, as recorded in construct metadata. */
export interface Acknowledgement {
  /** Path of the construct the acknowledgement was made on. */
  readonly path: string;
  /** The rule ID as given, e.g. `AwsSolutions-IAM5[Resource::*]`. */
  readonly id: string;
  readonly reason: string;
  /** Made by aws-cdk-lib itself (e.g. its VPC flow log acknowledging validator rules), not by our code. */
  readonly byAwsCdkLib: boolean;
}

/* aws-cdk-lib records an ID without a namespace as `Annotation::<id>`; cdk-nag strips that prefix the same way. */
const ANNOTATION_NAMESPACE = /^annotation::/i;

/** Every acknowledgement made in the tree under `root`. */
export function acknowledgementsIn(root: IConstruct): Acknowledgement[] {
  const found: Acknowledgement[] = [];
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY || !entry.data) continue;
      for (const [qualifiedId, reason] of Object.entries(entry.data as Record<string, string>)) {
        found.push({ path: construct.node.path, id: qualifiedId.replace(ANNOTATION_NAMESPACE, ''), reason, byAwsCdkLib: madeByAwsCdkLib(entry.trace) });
      }
    }
  }
  return found;
}

/** The first frame below `Validations.acknowledge` is inside aws-cdk-lib. */
function madeByAwsCdkLib(trace: string[] | undefined): boolean {
  const caller = (trace ?? []).find((line) => !/Validations\.acknowledge|recordAcknowledgment/.test(line));
  return caller !== undefined && /in aws-cdk-lib\.\.\.|node_modules\/aws-cdk-lib\//.test(caller);
}

/**
 * Records which acknowledgements hid a finding, from the two places that apply them:
 * - cdk-nag v3 drops an acknowledged finding before it reports (NagPack.isAcknowledged walks from
 *   the resource up to the root looking for the rule ID in the acknowledged-rules metadata), so no
 *   report names it; the ledger wraps that lookup of each pack it watches and notes the construct
 *   the matching acknowledgement sits on.
 * - aws-cdk-lib applies acknowledgements of the other plugins (the CloudFormation validator) itself
 *   and lists each as a `suppressedViolations` entry (`acknowledgedId`, `acknowledgedAt`) of
 *   `validation-report.json` in the cloud assembly; {@link readValidationReport} reads them.
 */
export class AcknowledgementLedger {
  private readonly used = new Set<string>();
  private readonly packPrefixes: string[] = [];

  /** Wraps `pack` so every acknowledgement it applies is recorded; returns the pack. */
  watch<T extends NagPack>(pack: T): T {
    const lookup = pack as unknown as { isAcknowledged?: (resource: IConstruct, ruleId: string) => boolean; readPackName: string };
    if (typeof lookup.isAcknowledged !== 'function') {
      throw new Error('AcknowledgementLedger: cdk-nag no longer has NagPack.isAcknowledged; adapt acknowledgement-ledger.ts to the installed cdk-nag');
    }
    const isAcknowledged = lookup.isAcknowledged.bind(pack);
    lookup.isAcknowledged = (resource, ruleId) => {
      const acknowledged = isAcknowledged(resource, ruleId);
      if (acknowledged) this.used.add(key(siteOf(resource, ruleId), ruleId));
      return acknowledged;
    };
    this.packPrefixes.push(`${lookup.readPackName}-`);
    return pack;
  }

  /** Notes the acknowledgements aws-cdk-lib applied, from the cloud assembly's validation report. */
  readValidationReport(assemblyDirectory: string): void {
    const file = path.join(assemblyDirectory, 'validation-report.json');
    if (!fs.existsSync(file)) return;
    const report = JSON.parse(fs.readFileSync(file, 'utf8')) as { pluginReports?: { suppressedViolations?: { acknowledgedId: string; acknowledgedAt: string }[] }[] };
    for (const plugin of report.pluginReports ?? []) {
      for (const suppressed of plugin.suppressedViolations ?? []) {
        this.used.add(key(suppressed.acknowledgedAt, suppressed.acknowledgedId.replace(ANNOTATION_NAMESPACE, '')));
      }
    }
  }

  /**
   * Acknowledgements of our code under `root` that hid no finding: each one is a hole through which a future
   * finding would pass unseen. An acknowledgement of a rule outside the watched packs counts as
   * unmatched too, because nothing that ran could have produced its finding.
   */
  unmatched(root: IConstruct): Acknowledgement[] {
    return acknowledgementsIn(root).filter((ack) => !ack.byAwsCdkLib && !this.used.has(key(ack.path, ack.id)));
  }

  /** The rule-ID prefixes of the packs that ran (`AwsSolutions-`, `Serverless-`). */
  get prefixes(): readonly string[] {
    return this.packPrefixes;
  }
}

function key(path: string, ruleId: string): string {
  return `${path}\u0000${ruleId}`;
}

/** The construct whose acknowledgement cdk-nag applied: the nearest one, from the resource up. */
function siteOf(resource: IConstruct, ruleId: string): string {
  for (let current: IConstruct | undefined = resource; current; current = current.node.scope) {
    for (const entry of current.node.metadata) {
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && entry.data
        && Object.keys(entry.data).some((k) => k.replace(ANNOTATION_NAMESPACE, '') === ruleId)) {
        return current.node.path;
      }
    }
  }
  throw new Error(`AcknowledgementLedger: cdk-nag says ${ruleId} is acknowledged on ${resource.node.path} but no acknowledgement is found`);
}
