/**
 * Reads a `text/event-stream` body (Server-Sent Events) event by event: the one reader of the gateway's consent
 * revision follower and of the register follower (registerFollower.ts) the gateway and the consent engine share. Only what NDX streams send is handled: `event:` and `data:` lines (several data
 * lines are joined with a newline), events ended by a blank line; comments and other fields are ignored.
 */

export interface ServerSentEvent {
  /** `message` when the event names none. */
  readonly name: string;
  /** The data lines joined; undefined when the event has none. */
  readonly data: string | undefined;
}

/**
 * Calls `onChunk` for every chunk received (anything heard keeps a stream alive) and `onEvent` for every complete
 * event, in order; resolves when the body ends. What `onEvent` throws ends the reading and rejects.
 */
export async function readServerSentEvents(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: ServerSentEvent) => void,
  onChunk: () => void = () => undefined,
): Promise<void> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = "";
  try {
    for (;;) {
      const { value: chunk, done } = await reader.read();
      if (done) return;
      onChunk();
      buffer += decoder.decode(chunk, { stream: true }).replaceAll("\r\n", "\n");
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        onEvent(parseEvent(block));
      }
    }
  } finally {
    reader.releaseLock();
  }
}

function parseEvent(block: string): ServerSentEvent {
  let name = "message";
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
  }
  return { name, data: data.length === 0 ? undefined : data.join("\n") };
}
