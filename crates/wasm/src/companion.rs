//! `CompanionDevice`: a drive reached through the companion program
//! (`rawburn serve`) over its WebSocket, for the same `burn`, `media`,
//! `blank`, `eject` and `readDisc` calls as a WebUSB device.
//!
//! The client is JavaScript (`js/companion.js` and `js/companion/`, which
//! the build puts beside the wasm-bindgen glue): it is WebSocket messages, uploads and
//! downloads, with nothing for Rust to compute but the uploads' SHA-256,
//! which is here. This module holds that hasher and the client's typings,
//! so the package's `.d.ts` stays one file.
//!
//! ```text
//!   burn(device, plan) ── CompanionDevice? ──▶ companion.js ── createResultImage("ccd")
//!        │ no                                     │  upload chunks (Sha256) ─▶ plan ─▶ burn job
//!        ▼                                        ▼
//!   the write engine over WebUSB            `rawburn serve` ── events, end ──▶ onEvent, result
//! ```

use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &'static str = r#"
/** What `CompanionDevice` needs of a WebSocket constructor: the browser's, Node's (22 and later) or the `ws` package's. */
export type CompanionWebSocketConstructor = new (
  url: string,
  protocols: string[],
  options?: { headers?: Record<string, string> },
) => object;

/** Options of `CompanionDevice.connect`. */
export interface CompanionConnectOptions {
  /** The one-time token of the address `rawburn serve` printed; taken from the URL's `#token=` when not given. */
  token?: string;
  /** A session the companion gave before (`device.session`): connects without the token, which works once. */
  session?: string;
  /** The drive to use, an id from `drives()`; the first usable one unless given. */
  drive?: string;
  /** The WebSocket constructor (`globalThis.WebSocket` unless given): in Node before 22, the `ws` package's. */
  WebSocket?: CompanionWebSocketConstructor;
}

/** A drive of the companion, as `drives()` lists it. */
export interface CompanionDrive {
  /** Its id: a USB port path such as "1-4.2", or "v1", "v2" for virtual recorders. */
  id: string;
  /** A burner the Linux kernel owns (reached through SG_IO), one Windows owns (reached through SPTI), a USB burner, or a virtual recorder over a `.vdisc` file. */
  kind: "virtual" | "sg" | "spti" | "usb";
  /** Its name for people. */
  label: string;
  /** Whether it can be used. */
  usable: boolean;
  /** Why it cannot be used, or null. */
  problem: string | null;
  /** What to do about it, or null. */
  fix: string | null;
  /** The job running on it, or null. */
  job: string | null;
}

/** Options of `CompanionDevice.insert`: the blank disc put in a virtual recorder. */
export interface CompanionInsertOptions {
  /** "cd-r" (the default) or "cd-rw". */
  media?: "cd-r" | "cd-rw";
  /** Its nominal length: 74, 80 (the default), 90 or 99 minutes. */
  minutes?: 74 | 80 | 90 | 99;
}

/** What a read through the companion found; the files hold the rest. */
export interface CompanionReadSummary {
  /** Sectors read. */
  sectors: number;
  /** Sectors that needed more than one read. */
  retried: number;
}

/** A disc read through the companion: its files, downloaded as they are read. */
export interface CompanionDiscRead {
  /** The files `rawburn read` wrote, in its order, each a stream of the download. */
  files: ReadFile[];
  /** Settled: the read has ended when `readDisc` resolves. */
  done: Promise<CompanionReadSummary>;
}

/**
 * A drive reached through the companion program (`rawburn serve`) over its WebSocket: pass it to
 * `burn`, `media`, `blank`, `eject`, `tray` ("eject" only) and `readDisc` as a WebUSB device. A dropped
 * connection is made again while an operation runs, and a job's events resume after the last one seen.
 */
export class CompanionDevice {
  private constructor();
  /**
   * Connects to the companion at `url` (`http://127.0.0.1:PORT`, or the printed address with its
   * `#token=`) and picks the drive. In a page the companion serves, its session cookie is enough.
   * Rejects with `companionConnection` (no answer, or the companion refused: a spent token, another
   * origin), `companion` (no such drive, none usable), `invalidArgument`.
   */
  static connect(url: string, options?: CompanionConnectOptions): Promise<CompanionDevice>;
  /** The companion's address: scheme, host and port. */
  readonly url: string;
  /** The drive this device uses (an id from `drives()`). */
  readonly drive: string;
  /** The session the companion gave for the token, to connect again (`{ session }`); null when the cookie holds it. */
  readonly session: string | null;
  /** The companion's version of rawburn. */
  readonly version: string;
  /** The companion's drives, usable or not, and the job each runs. */
  drives(): Promise<CompanionDrive[]>;
  /** Puts a blank disc in the drive when it is a virtual recorder (`companion` error for a USB burner). */
  insert(options?: CompanionInsertOptions): Promise<void>;
  /** Closes the connection; operations still running reject with `companionConnection`, their jobs go on. */
  close(): void;
}

/**
 * Reads the disc through the companion (`rawburn read`, as a job): resolves once the read has ended,
 * with the files it wrote (each a stream of its download) and `done`, already settled with the
 * sectors read and retried. Rejects as `readDisc` does, and with `companion` and `companionConnection`.
 */
export function readDisc(
  device: CompanionDevice,
  options?: ReadDiscOptions | null,
  onEvent?: ((event: DriveEvent) => void) | null,
): Promise<CompanionDiscRead>;
"#;

/// An incremental SHA-256 (FIPS 180-4) of what is uploaded to the
/// companion: WebCrypto only hashes whole buffers. Internal to the
/// package (no typings, not re-exported by its entries).
#[wasm_bindgen(skip_typescript)]
#[derive(Default)]
pub struct Sha256(sha2::Sha256);

#[wasm_bindgen]
impl Sha256 {
    /// A hash of nothing yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> Sha256 {
        Sha256::default()
    }

    /// Adds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        sha2::Digest::update(&mut self.0, bytes);
    }

    /// The digest of everything added, as 64 lowercase hex digits; the
    /// hash starts again from nothing.
    pub fn hex(&mut self) -> String {
        let digest = sha2::Digest::finalize_reset(&mut self.0);
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fips_180_vectors_in_any_slicing() {
        let mut h = Sha256::new();
        assert_eq!(
            h.hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        h.update(b"ab");
        h.update(b"c");
        assert_eq!(
            h.hex(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let two_blocks = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
        for cut in [0, 1, 55, 56] {
            h.update(&two_blocks[..cut]);
            h.update(&two_blocks[cut..]);
            assert_eq!(
                h.hex(),
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
            );
        }
    }
}
