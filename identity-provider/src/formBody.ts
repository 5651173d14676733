/** Reads an application/x-www-form-urlencoded body with a size limit. */
import type { IncomingMessage } from "node:http";

export class FormError extends Error {
  override name = "FormError";
}

/** @param limit bytes; @default 16384 */
export async function readForm(req: IncomingMessage, limit = 16_384): Promise<URLSearchParams> {
  const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") throw new FormError("The form was not sent as a form.");
  const declared = Number(req.headers["content-length"] ?? "0");
  if (declared > limit) throw new FormError("The form is too large.");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > limit) throw new FormError("The form is too large.");
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}
