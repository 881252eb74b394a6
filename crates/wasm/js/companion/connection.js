// The companion client's connection: one WebSocket at a time, requests
// and their replies matched by id, a job's messages by job and number, an
// upload's acknowledgements by upload. When the socket drops while
// something runs it is made again (with the session): requests without an
// answer are sent again, except one that starts a job (the job may have
// started), uploads go on, and each job is watched again after the last
// message seen, so none is lost or repeated.

import { connectionError, messageOf, refusal } from "./errors.js";

/** The WebSocket subprotocol of the wire format, version 1. */
const PROTOCOL = "rawburn.v1";
/** Milliseconds to wait before each attempt to connect again. */
const RECONNECT_DELAYS = [100, 250, 500, 1000, 2000, 4000, 8000];
/** The WebSocket's readyState when open. */
const OPEN = 1;

/** One WebSocket to the companion at a time, made again when it drops while something runs. */
export class Connection {
  constructor(origin, { token, session, WebSocketClass }) {
    this.origin = origin;
    this.url = `${origin.replace(/^http/, "ws")}/v1`;
    const port = new URL(origin).port || (origin.startsWith("https:") ? "443" : "80");
    /** The session cookie's name. */
    this.cookie = `rawburn-${port}`;
    this.token = token ?? null;
    this.session = session ?? null;
    this.WebSocketClass = WebSocketClass;
    this.socket = null;
    /** Counts the sockets opened: a chunk is sent once on each. */
    this.generation = 0;
    this.closed = false;
    this.reconnecting = null;
    this.hello = null;
    this.driveList = [];
    this.nextId = 1;
    /** Requests without an answer: id → `{ message, resolve, reject, again, sentOn }`. */
    this.pending = new Map();
    /** Jobs followed: id → Watch. */
    this.jobs = new Map();
    /** Messages of a job that came before its Watch. */
    this.early = new Map();
    /** Uploads under way: id → Upload. */
    this.uploads = new Map();
  }

  /** Trades the token for the session cookie (a page of the companion's own origin). */
  async trade() {
    const held = await fetch(`${this.origin}/v1/session`, { credentials: "same-origin" });
    if (held.status === 204) return;
    const traded = await fetch(`${this.origin}/v1/session`, {
      method: "POST",
      body: this.token,
      credentials: "same-origin",
    });
    if (traded.status !== 204) {
      throw connectionError(`the companion refused the token: ${(await traded.text()).trim()}`);
    }
    this.token = null;
  }

  /** The subprotocols to offer: the session, else the token, else the cookie alone. */
  protocols() {
    if (this.session) return [PROTOCOL, `rawburn.session.${this.session}`];
    if (this.token) return [PROTOCOL, `rawburn.token.${this.token}`];
    return [PROTOCOL];
  }

  /** Opens a socket and waits for `hello`. */
  open() {
    return new Promise((resolve, reject) => {
      let socket;
      try {
        socket = makeSocket(this.WebSocketClass, this.url, this.protocols(), this.origin);
      } catch (e) {
        reject(connectionError(`cannot connect to the companion at ${this.origin}: ${messageOf(e)}`, e));
        return;
      }
      socket.binaryType = "arraybuffer";
      let greeted = false;
      let why = null;
      socket.onmessage = (event) => {
        if (greeted) {
          if (this.socket === socket) this.receive(event.data);
          return;
        }
        const hello = parse(event.data);
        if (hello?.type !== "hello" || hello.version !== 1) {
          why = `it speaks another protocol (${hello?.type === "hello" ? `version ${hello.version}` : "no hello"})`;
          socket.close();
          return;
        }
        greeted = true;
        // A token is good for one session.
        this.token = null;
        if (hello.session) this.session = hello.session;
        this.hello = hello;
        this.driveList = hello.drives ?? [];
        this.socket = socket;
        this.generation += 1;
        resolve(hello);
      };
      socket.onerror = (event) => {
        why ??= event?.message ?? event?.error?.message ?? null;
      };
      socket.onclose = (event) => {
        if (!greeted) {
          const reason = event?.reason || why || "no answer";
          reject(connectionError(`cannot connect to the companion at ${this.origin}: ${reason}`));
          return;
        }
        if (this.socket === socket) {
          this.socket = null;
          this.dropped();
        }
      };
    });
  }

  /** A message from the companion. */
  receive(data) {
    if (typeof data !== "string") return;
    const m = parse(data);
    if (!m) return;
    if (m.reply !== undefined && m.reply !== null) {
      const p = this.pending.get(m.reply);
      if (!p) return;
      this.pending.delete(m.reply);
      if (m.type === "error") p.reject(refusal(m, p.message.type));
      else p.resolve(m);
      return;
    }
    switch (m.type) {
      case "event":
      case "end": {
        const watch = this.jobs.get(m.job);
        if (watch) watch.handle(m);
        else {
          // Before the reply that names the job.
          const list = this.early.get(m.job) ?? [];
          list.push(m);
          this.early.set(m.job, list);
        }
        return;
      }
      case "uploaded":
        this.uploads.get(m.upload)?.acked(m.offset);
        return;
      case "error":
        if (typeof m.upload === "string") this.uploads.get(m.upload)?.refused(m);
        return;
      case "drives":
        if (Array.isArray(m.drives)) this.driveList = m.drives;
        return;
      default:
    }
  }

  /**
   * Sends a request and resolves with its reply (rejects with its error).
   * `again`: whether to send it again after a dropped connection.
   */
  request(message, { again = true } = {}) {
    if (this.closed) return Promise.reject(connectionError("the connection to the companion is closed"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const p = { message: { ...message, id }, resolve, reject, again, sentOn: null };
      this.pending.set(id, p);
      this.transmit(p);
    });
  }

  transmit(p) {
    if (this.socket?.readyState === OPEN) {
      this.socket.send(JSON.stringify(p.message));
      p.sentOn = this.generation;
    } else {
      this.reconnect();
    }
  }

  /** Sends a binary message; false when there is no open socket (it is sent again later). */
  sendBinary(bytes) {
    if (this.socket?.readyState !== OPEN) return false;
    this.socket.send(bytes);
    return true;
  }

  /** The socket closed under us: connect again if anything runs (else on the next request). */
  dropped() {
    if (this.closed) return;
    if (this.pending.size > 0 || this.jobs.size > 0 || this.uploads.size > 0) this.reconnect();
  }

  reconnect() {
    if (this.reconnecting || this.socket || this.closed) return;
    this.reconnecting = (async () => {
      let failure = null;
      for (const wait of RECONNECT_DELAYS) {
        await sleep(wait);
        if (this.closed) return;
        try {
          await this.open();
          failure = null;
          break;
        } catch (e) {
          failure = e;
        }
      }
      this.reconnecting = null;
      if (failure) {
        this.fail(connectionError(`the connection to the companion was lost: ${failure.message}`, failure));
        return;
      }
      this.resume();
    })();
  }

  /** On a new socket: requests sent again, uploads and jobs taken up where they stood. */
  resume() {
    for (const [id, p] of this.pending) {
      if (p.sentOn !== null && p.sentOn !== this.generation && !p.again) {
        this.pending.delete(id);
        p.reject(
          connectionError(
            `the connection dropped before the companion answered \`${p.message.type}\`, which may have started a job`,
          ),
        );
        continue;
      }
      if (p.sentOn !== this.generation) this.transmit(p);
    }
    for (const u of this.uploads.values()) u.resume();
    for (const w of this.jobs.values()) w.watch();
  }

  /** Everything under way fails with `e`. */
  fail(e) {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(e);
    for (const u of [...this.uploads.values()]) u.fail(e);
    for (const w of [...this.jobs.values()]) w.fail(e);
    this.early.clear();
  }

  close() {
    this.closed = true;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000);
    this.fail(connectionError("the connection to the companion was closed"));
  }
}

/** A job followed: its events in order, each once, whatever the connection does. */
export class Watch {
  constructor(connection, job, onEvent) {
    this.connection = connection;
    this.job = job;
    this.onEvent = onEvent;
    /** The last sequence number seen. */
    this.seq = 0;
    this.finished = false;
    this.ended = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    connection.jobs.set(job, this);
    const early = connection.early.get(job) ?? [];
    connection.early.delete(job);
    for (const m of early) this.handle(m);
  }

  handle(m) {
    if (this.finished || typeof m.seq !== "number" || m.seq <= this.seq) return;
    if (m.seq !== this.seq + 1) {
      // A gap: ask again from the last one seen.
      this.watch();
      return;
    }
    this.seq = m.seq;
    if (m.type === "event") {
      this.onEvent(m.event);
      return;
    }
    this.finish();
    this.resolve(m);
  }

  /** Asks for the job's messages after the last one seen. */
  watch() {
    this.connection.request({ type: "watch", job: this.job, after: this.seq }).catch((e) => {
      this.fail(
        e.companionCode === "not-found"
          ? connectionError(`job ${this.job} is gone from the companion (it was restarted?)`, e)
          : e,
      );
    });
  }

  fail(e) {
    if (this.finished) return;
    this.finish();
    this.reject(e);
  }

  finish() {
    this.finished = true;
    this.connection.jobs.delete(this.job);
  }
}

/**
 * A WebSocket for `url`: the `ws` package's takes headers as its third
 * argument, Node's own (undici) in its second; a browser sets `Origin`
 * itself and takes subprotocols only.
 */
function makeSocket(WebSocketClass, url, protocols, origin) {
  const headers = { Origin: origin };
  // Only the ws package's sockets have terminate().
  if (typeof WebSocketClass.prototype?.terminate === "function") {
    return new WebSocketClass(url, protocols, { headers });
  }
  const node = typeof document === "undefined" && typeof globalThis.process?.versions?.node === "string";
  if (node && WebSocketClass === globalThis.WebSocket) {
    return new WebSocketClass(url, { protocols, headers });
  }
  return new WebSocketClass(url, protocols);
}

function parse(text) {
  if (typeof text !== "string") return null;
  try {
    const v = JSON.parse(text);
    return v && typeof v === "object" ? v : null;
  } catch {
    return null;
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
