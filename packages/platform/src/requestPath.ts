/** The path of a request's URL, without query or fragment: from a full URL (fetch Request) or a path (node:http). */
export function requestPath(url: string | undefined): string {
  try {
    return new URL(url ?? "/", "http://localhost").pathname;
  } catch {
    return "/";
  }
}
