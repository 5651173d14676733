/** Reads Server-Sent Events from a response, one event at a time, with a deadline. */
export interface SseEvent {
  readonly event: string;
  readonly data: Record<string, unknown>;
}

export function sseReader(response: Response) {
  if (response.body === null) throw new Error("the response has no body");
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let done = false;
  return {
    /**
     * The next event, or undefined when the stream ended; rejects after `timeoutMs` (by default 10 s: an event that is
     * expected may come late on a loaded CI machine; a test that expects none passes its own short deadline).
     */
    async next(timeoutMs = 10_000): Promise<SseEvent | undefined> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const end = buffer.indexOf("\n\n");
        if (end !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1] ?? "message";
          const data = /^data: (.*)$/m.exec(block)?.[1] ?? "{}";
          return { event, data: JSON.parse(data) as Record<string, unknown> };
        }
        if (done) return undefined;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error("no event in time");
        let timer: NodeJS.Timeout | undefined;
        const chunk = await Promise.race([
          reader.read(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error("no event in time")), left);
          }),
        ]).finally(() => clearTimeout(timer));
        if (chunk.done) done = true;
        else buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    /** Events until one satisfies `match`. */
    async until(match: (e: SseEvent) => boolean, timeoutMs = 10_000): Promise<SseEvent> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const e = await this.next(Math.max(1, deadline - Date.now()));
        if (e === undefined) throw new Error("the stream ended");
        if (match(e)) return e;
      }
    },
    cancel: () => reader.cancel(),
  };
}
