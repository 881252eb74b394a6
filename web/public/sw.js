// rawburn editor: streams exported image files to downloads. The page hands
// over a ReadableStream and then navigates to ./download/ID/NAME; this
// worker answers that request with the stream as an attachment.

const pending = new Map();

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const d = event.data;
  const reply = event.ports[0];
  if (!d || d.type !== "download" || typeof d.id !== "string" || !(d.stream instanceof ReadableStream)) {
    reply?.postMessage("not a download");
    return;
  }
  pending.set(d.id, { ...d, reply });
  // A download nobody fetches is dropped after a minute.
  setTimeout(() => pending.delete(d.id), 60_000);
  reply?.postMessage("ready");
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (url.origin !== self.location.origin) return;
  const m = /\/download\/([0-9a-f-]{36})\/[^/]*$/.exec(url.pathname);
  if (!m) return;
  const d = pending.get(m[1]);
  pending.delete(m[1]);
  if (!d) {
    event.respondWith(new Response("no such download (it was taken or has expired)", { status: 404 }));
    return;
  }
  d.reply?.postMessage("started");
  const ascii = d.name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  event.respondWith(
    new Response(d.stream, {
      headers: {
        "Content-Type": "application/octet-stream",
        "Content-Length": String(d.size),
        "Content-Disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(d.name)}`,
      },
    }),
  );
});
