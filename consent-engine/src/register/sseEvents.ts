/**
 * A small reader of Server-Sent Events (text/event-stream) from a fetch response body: each event's name (`event:`,
 * "message" when absent) and its data (the `data:` lines joined with newlines). Comments and `id:`/`retry:` lines are
 * skipped; a block without data yields nothing. Enough for the exchange's register stream, nothing more.
 */

export interface SseEvent {
  readonly event: string;
  readonly data: string;
}

function parseBlock(block: string): SseEvent | undefined {
  let event = "message";
  const data: string[] = [];
  for (const line of block.split(/\r?\n/)) {
    if (line === "" || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (name === "event") event = value;
    else if (name === "data") data.push(value);
  }
  return data.length === 0 ? undefined : { event, data: data.join("\n") };
}

/** Yields each event as soon as its block is complete; `onChunk` is told whenever bytes arrive (liveness). */
export async function* readSseEvents(body: ReadableStream<Uint8Array>, onChunk: () => void = () => undefined): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      onChunk();
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const parsed = parseBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (parsed !== undefined) yield parsed;
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
