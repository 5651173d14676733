/** Reads a request body as JSON or as a form, refusing oversized bodies before reading them whole. */
import { ApiError, badInput } from "./apiError.ts";

/** 64 KiB. */
const defaultBodyLimit = 65_536;

const tooLarge = (limit: number) =>
  new ApiError("BAD_USER_INPUT", `The request body is larger than ${limit} bytes`, { status: 413, details: { limit } });

async function readText(request: Request, limit: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw tooLarge(limit);
  if (request.body === null) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return new TextDecoder("utf-8", { fatal: false }).decode(Buffer.concat(chunks));
}

function mediaType(request: Request): string {
  return (request.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

export async function readJson(request: Request, limit = defaultBodyLimit): Promise<unknown> {
  if (mediaType(request) !== "application/json") {
    throw new ApiError("BAD_USER_INPUT", "Send the body as application/json", { status: 415 });
  }
  const text = await readText(request, limit);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badInput("The body is not valid JSON");
  }
}

export async function readForm(request: Request, limit = 16_384): Promise<URLSearchParams> {
  if (mediaType(request) !== "application/x-www-form-urlencoded") {
    throw new ApiError("BAD_USER_INPUT", "The form was not sent as a form", { status: 415 });
  }
  return new URLSearchParams(await readText(request, limit));
}
