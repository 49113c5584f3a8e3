import { Template } from 'aws-cdk-lib/assertions';

/** The launch template's user data as text, with `{Ref: X}` / `{Fn::GetAtt: [X, Y]}` rendered as `${X}` / `${X.Y}`. */
export function userDataOf(template: Template): string {
  const [lt] = Object.values(template.findResources('AWS::EC2::LaunchTemplate'));
  const join = lt.Properties.LaunchTemplateData.UserData['Fn::Base64'];
  if (typeof join === 'string') return join;
  return (join['Fn::Join'][1] as unknown[]).map((part) => {
    if (typeof part === 'string') return part;
    const p = part as Record<string, unknown>;
    if (p.Ref) return `\${${p.Ref}}`;
    if (p['Fn::GetAtt']) return `\${${(p['Fn::GetAtt'] as string[]).join('.')}}`;
    return JSON.stringify(part);
  }).join('');
}
