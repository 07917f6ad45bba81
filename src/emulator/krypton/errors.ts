/** An API error as SORACOM sends it: HTTP status and a `{code, message}` body. */
export class KryptonError extends Error {
  override readonly name = 'KryptonError';

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  toBody(): { code: string; message: string } {
    return { code: this.code, message: this.message };
  }
}
