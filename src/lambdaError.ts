/**
 * Lambda's service errors: an HTTP status, the error code in `x-amzn-ErrorType` (which the SDKs, boto3 and the AWS
 * CLI read first) and a JSON body `{"Type":"User","message":...}`. The text goes in both `message` and `Message`
 * because AWS itself uses either casing depending on the exception, and each SDK looks for one of them
 * (https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html, docs/lambda-behaviour.md#invoke-api).
 */
export class LambdaError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    /** Extra members of the body, e.g. `Reason` of TooManyRequestsException. */
    readonly fields: Record<string, string> = {},
    readonly headers: Record<string, string> = {},
    readonly type: 'User' | 'Service' = 'User',
  ) {
    super(message);
    this.name = code;
  }

  body(): Record<string, string> {
    return { Type: this.type, message: this.message, Message: this.message, ...this.fields };
  }
}
