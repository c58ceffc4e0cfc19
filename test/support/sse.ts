/** A Server-Sent Events client over node:http for the handoff tests and bench: what EventSource does, with Last-Event-ID by hand. */
import http from 'node:http';
import type { HandoffEventData } from '../../src/handoff/handoff-rules.ts';

/** A Server-Sent Events reader (as EventSource would be), with the stream's status and a disconnect. */
export class EventStream {
  readonly events: { id: number; data: HandoffEventData; at: number }[] = [];
  status = 0;
  ended = false;
  private request?: http.ClientRequest;
  private waiters: (() => void)[] = [];
  constructor(
    readonly url: string,
    readonly headers: Record<string, string> = {},
  ) {}

  open(lastEventId?: number): Promise<this> {
    return new Promise((resolve, reject) => {
      const headers = { Accept: 'text/event-stream', ...this.headers, ...(lastEventId ? { 'Last-Event-ID': String(lastEventId) } : {}) };
      this.ended = false;
      this.request = http.get(this.url, { headers, agent: false }, (response) => {
        this.status = response.statusCode!;
        let buffer = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id: (\d+)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (id && data) this.events.push({ id: Number(id), data: JSON.parse(data), at: performance.now() });
            this.wake();
          }
        });
        const finish = () => ((this.ended = true), this.wake());
        response.on('end', finish).on('error', finish).on('close', finish);
        resolve(this);
      });
      this.request.on('error', (error) => (this.status ? ((this.ended = true), this.wake()) : reject(error)));
    });
  }

  get states(): string[] {
    return this.events.map((event) => event.data.state);
  }

  get lastId(): number {
    return this.events.at(-1)?.id ?? 0;
  }

  disconnect(): void {
    this.request?.destroy();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  /** Resolves once `predicate` holds, or rejects after `ms`. */
  async until(predicate: () => boolean, ms = 60_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out; events so far: ${this.states.join(', ')}; ended ${this.ended}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
}
