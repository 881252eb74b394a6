// The editor's worker. The package waits for its WebAssembly with a
// top-level await; messages that came in meanwhile would find no listener
// and be lost, so the listener is set first and the rest loaded after.

import type { Call } from "./protocol";

const handler = import("./handler");

self.onmessage = (e: MessageEvent<Call>) => {
  void handler.then((h) => h.answer(e.data));
};
