// Saving image files. With the File System Access API the worker writes
// into a folder the user picks; otherwise each file streams to a download
// through the page's service worker, so an image is never held whole.

export function canPickFolder(): boolean {
  return typeof (window as unknown as { showDirectoryPicker?: unknown }).showDirectoryPicker === "function";
}

export async function pickFolder(): Promise<FileSystemDirectoryHandle> {
  const pick = (window as unknown as { showDirectoryPicker: (o: object) => Promise<FileSystemDirectoryHandle> }).showDirectoryPicker;
  return pick({ id: "rawburn-export", mode: "readwrite" });
}

let registration: Promise<ServiceWorkerRegistration | null> | null = null;

/** The download service worker, registered once (null where there is none). */
export function downloads(): Promise<ServiceWorkerRegistration | null> {
  registration ??= (async () => {
    if (!("serviceWorker" in navigator)) return null;
    try {
      await navigator.serviceWorker.register(new URL("./sw.js", document.baseURI), { scope: "./" });
      return await navigator.serviceWorker.ready;
    } catch {
      return null;
    }
  })();
  return registration;
}

/** Streams `stream` to a download named `name`; resolves when the browser has taken it. */
export async function download(name: string, size: number, stream: ReadableStream<Uint8Array>): Promise<void> {
  const reg = await downloads();
  const sw = reg?.active;
  if (sw) {
    const id = crypto.randomUUID();
    const channel = new MessageChannel();
    // "ready" when the worker holds the stream, "started" when the browser
    // has asked for the download.
    const said = (what: string, ms: number) =>
      new Promise<void>((resolve, reject) => {
        const prev = channel.port1.onmessage;
        channel.port1.onmessage = (e) => {
          if (e.data === what) resolve();
          else if (prev) prev.call(channel.port1, e);
          else reject(new Error(String(e.data)));
        };
        setTimeout(() => reject(new Error(`the download worker did not say ${what}`)), ms);
      });
    try {
      const ready = said("ready", 5000);
      sw.postMessage({ type: "download", id, name, size, stream }, [channel.port2, stream as unknown as Transferable]);
      await ready;
      // A frame of its own for each: navigations of one page cancel each
      // other (only the last file would come), and a link with `download`
      // is fetched past the service worker. The next file waits until the
      // browser has asked for this one.
      const started = said("started", 15000);
      const frame = document.createElement("iframe");
      frame.hidden = true;
      frame.title = `download of ${name}`;
      frame.src = new URL(`./download/${id}/${encodeURIComponent(name)}`, document.baseURI).href;
      document.body.append(frame);
      setTimeout(() => frame.remove(), 60_000);
      await started;
      return;
    } catch {
      // A browser that cannot hand streams to its service worker: a Blob (kept on disk by browsers).
    }
  }
  const blob = await new Response(stream).blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
