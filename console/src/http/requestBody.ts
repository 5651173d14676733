/** Reads a form body (application/x-www-form-urlencoded), refusing an oversized one before reading it whole. */

export class BodyError extends Error {
  override name = "BodyError";
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** @param limit bytes. @default 65536 */
export async function readForm(request: Request, limit = 65_536): Promise<URLSearchParams> {
  const type = (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") throw new BodyError(415, "The form was not sent as a form.");
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw new BodyError(413, `The form is larger than ${limit} bytes.`);
  if (request.body === null) return new URLSearchParams();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyError(413, `The form is larger than ${limit} bytes.`);
    }
    chunks.push(value);
  }
  return new URLSearchParams(new TextDecoder().decode(Buffer.concat(chunks)));
}
