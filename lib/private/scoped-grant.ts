import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';

/**
 * A grantee standing for `role` whose grants land in a policy created in `scope` (and attached to
 * the role) instead of the role's default policy. A construct that grants to a function of another
 * stack uses it, so only the construct's stack references the function's stack, never the reverse.
 */
export class ScopedPolicyGrantee implements iam.IPrincipal {
  public readonly grantPrincipal: iam.IPrincipal = this;
  public readonly assumeRoleAction: string;
  public readonly principalAccount: string | undefined;
  private readonly scope: Construct;
  private readonly id: string;
  private readonly role: iam.IRole;
  private created?: iam.Policy;

  constructor(scope: Construct, id: string, role: iam.IRole) {
    this.scope = scope;
    this.id = id;
    this.role = role;
    this.assumeRoleAction = role.assumeRoleAction;
    this.principalAccount = role.principalAccount;
  }

  /** The policy holding the grants; undefined until something was granted. */
  public get policy(): iam.Policy | undefined {
    return this.created;
  }

  public get policyFragment(): iam.PrincipalPolicyFragment {
    return this.role.policyFragment;
  }

  public addToPolicy(statement: iam.PolicyStatement): boolean {
    return this.addToPrincipalPolicy(statement).statementAdded;
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.created ??= new iam.Policy(this.scope, this.id, { roles: [this.role] });
    this.created.addStatements(statement);
    return { statementAdded: true, policyDependable: this.created };
  }
}

/** True when `resource` is defined in another stack than `scope`. */
export function inAnotherStack(scope: IConstruct, resource: IConstruct): boolean {
  return Stack.of(scope) !== Stack.of(resource);
}
