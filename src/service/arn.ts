/** Where this service pretends to run: Lambda's ARNs need a region and an account. */
export interface Place {
  region: string;
  account: string;
}

export const functionArn = (place: Place, name: string) => `arn:aws:lambda:${place.region}:${place.account}:function:${name}`;

export const qualifiedArn = (place: Place, name: string, qualifier: string) => `${functionArn(place, name)}:${qualifier}`;

export const layerArn = (place: Place, name: string) => `arn:aws:lambda:${place.region}:${place.account}:layer:${name}`;

export const layerVersionArn = (place: Place, name: string, version: number) => `${layerArn(place, name)}:${version}`;

/**
 * A FunctionName as the API accepts it: `name`, `name:qualifier`, a partial ARN `123456789012:function:name[:q]`
 * or a full ARN `arn:aws:lambda:region:account:function:name[:q]`
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_RequestSyntax).
 * Undefined when the text is none of these.
 */
export function parseFunctionName(text: string): { name: string; qualifier?: string } | undefined {
  const parts = text.split(':');
  let rest: string[];
  if (parts[0] === 'arn') {
    if (parts.length < 7 || parts[1] !== 'aws' || parts[2] !== 'lambda' || parts[5] !== 'function') return undefined;
    rest = parts.slice(6);
  } else if (parts.length >= 3 && parts[1] === 'function') {
    rest = parts.slice(2);
  } else {
    rest = parts;
  }
  if (rest.length === 0 || rest.length > 2 || rest[0] === '') return undefined;
  return rest.length === 2 ? { name: rest[0], qualifier: rest[1] } : { name: rest[0] };
}

/** `arn:aws:lambda:region:account:layer:name:version` → its name and version. */
export function parseLayerVersionArn(arn: string): { name: string; version: number } | undefined {
  const match = /^arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\d{1}:\d{12}:layer:([a-zA-Z0-9-_]+):([0-9]+)$/.exec(arn);
  if (!match) return undefined;
  return { name: match[5], version: Number(match[6]) };
}
