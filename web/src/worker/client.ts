// The page's side of the worker: each request a promise, progress to a callback.

import type { Answer, Failure, Progress, Replies, Request } from "./protocol";

export class WorkerError extends Error {
  failure: Failure;
  constructor(f: Failure) {
    super(f.message);
    this.failure = f;
  }
}

export class Client {
  private worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module", name: "rawburn" });
  private next = 1;
  private waiting = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: unknown) => void; progress?: (p: Progress) => void }
  >();

  constructor() {
    this.worker.onmessage = (e: MessageEvent<Answer>) => {
      const a = e.data;
      const w = this.waiting.get(a.id);
      if (!w) return;
      if ("progress" in a) {
        w.progress?.(a.progress);
        return;
      }
      this.waiting.delete(a.id);
      if (a.ok) w.resolve(a.value);
      else w.reject(new WorkerError(a.error));
    };
    this.worker.onerror = (e) => {
      const error = new WorkerError({ code: "worker", message: `the editor's worker failed: ${e.message}` });
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
    };
  }

  /** Sends a request; `started` gets its id (to cancel it). */
  ask<R extends Request>(
    request: R,
    progress?: (p: Progress) => void,
    started?: (id: number) => void,
  ): Promise<Replies[R["type"]]> {
    const id = this.next++;
    started?.(id);
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject, progress });
      this.worker.postMessage({ id, request });
    });
  }

  cancel(job: number): void {
    void this.ask({ type: "cancel", job });
  }
}
