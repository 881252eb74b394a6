// The companion client's errors, options and event callbacks, in the
// package's forms: `Error`s with a stable `code` (and, for what a command
// said, its exit code, headline and causes), options objects refused on an
// unknown key, and `onEvent` kept from spoiling an operation.

/** An `Error` with `code` and the given fields, as the package's errors are. */
export function error(code, message, fields = {}) {
  const e = new Error(message);
  e.code = code;
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) e[key] = value;
  }
  return e;
}

export function argument(message, fields) {
  return error("invalidArgument", message, fields);
}

export function connectionError(message, cause) {
  return error("companionConnection", message, { cause });
}

/** The error of an operation cancelled before its job began. */
export function notBegun(signal) {
  return error("cancelled", "cancelled before it began: the disc is as it was", {
    name: "AbortError",
    cause: signal?.reason,
  });
}

/** Drive refusals (exit 6) told apart by what the command said. */
const REFUSALS = [
  [/^no disc in the drive/, "noMedium"],
  [/^the disc is not blank/, "notBlank"],
  [/^the disc needs \d+ sectors/, "capacity"],
  [/^the disc is not a recordable CD/, "notRecordable"],
  [/^the device is not a CD\/DVD drive/, "notOptical"],
  [/only a CD-RW can be blanked|nothing to erase|the disc is blank/, "unsuitable"],
];

/**
 * The package's error for a command's `{exit, headline, causes}`: the code
 * from its exit code (and, for a refusal, its words), the message its
 * headline and causes, and those as fields.
 */
function commandError(operation, e) {
  const exit = typeof e?.exit === "number" ? e.exit : 1;
  const headline = typeof e?.headline === "string" ? e.headline : `rawburn ${operation} failed`;
  const causes = Array.isArray(e?.causes) ? e.causes.map(String) : [];
  const said = causes[0] ?? headline;
  const code =
    {
      130: "cancelled",
      9: operation === "burn" ? "verifyIncomplete" : "unreadable",
      8: "verifyMismatch",
      7: "burn",
      6: REFUSALS.find(([words]) => words.test(said))?.[1] ?? "drive",
      4: "disc",
      3: "sourceRead",
      2: "invalidArgument",
    }[exit] ?? "companion";
  const fields = { exit, headline, causes };
  const lba = /\blba (-?\d+)/.exec(said);
  if (lba && ["verifyMismatch", "verifyIncomplete", "unreadable"].includes(code)) fields.lba = Number(lba[1]);
  return error(code, [headline, ...causes].join(": "), fields);
}

/** The error of a job that did not end well; an abort by `signal` is an AbortError. */
export function jobError(operation, end, signal) {
  const e = commandError(operation, end.error ?? { exit: end.exit });
  if (end.state === "cancelled") {
    e.code = "cancelled";
    if (signal?.aborted) {
      e.name = "AbortError";
      e.cause = signal.reason;
    }
  }
  return e;
}

/** The error of a request the companion refused. */
export function refusal(m, request) {
  const fields = { companionCode: m.code, job: m.job, drive: m.drive };
  if (m.error && typeof m.error === "object") return Object.assign(commandError(request, m.error), fields);
  return error("companion", m.message ?? `the companion refused \`${request}\``, fields);
}

/**
 * `onEvent`, called for each event: what it throws is kept, not let
 * through (a broken progress bar must not spoil a disc), and reported with
 * the outcome, as the WebUSB operations do.
 */
export class Callback {
  constructor(f, what) {
    if (f !== undefined && f !== null && typeof f !== "function") throw argument("onEvent must be a function");
    this.f = f ?? null;
    this.what = what;
    this.threw = false;
    this.thrown = undefined;
  }

  emit(event) {
    const f = this.f;
    if (!f) return;
    try {
      f(event);
    } catch (e) {
      if (!this.threw) {
        this.threw = true;
        this.thrown = e;
      }
    }
  }

  /** `value`, or when the callback threw, an `onEvent` error carrying it (as `result`). */
  result(value) {
    if (!this.threw) return value;
    throw this.failed(`the ${this.what} went on and succeeded (its result is the error's \`result\`)`, { result: value });
  }

  /** Throws `e`, or when the callback threw, an `onEvent` error carrying it (as `burnError` or `operationError`). */
  error(e) {
    if (!this.threw || e?.code === "onEvent") throw e;
    const key = this.what === "burn" ? "burnError" : "operationError";
    throw this.failed(`the ${this.what} went on and failed: ${messageOf(e)} (the error's \`${key}\`)`, { [key]: e });
  }

  failed(what, fields) {
    return error("onEvent", `onEvent threw: ${messageOf(this.thrown)}; ${what}`, { ...fields, cause: this.thrown });
  }
}

/** Refuses an options object with a key not in `known`, as the package does everywhere. */
export function only(value, known, what) {
  if (value === undefined || value === null) return;
  if (typeof value !== "object") throw argument(`${what} must be an object`);
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw argument(`${what}: unknown option \`${key}\` (expected one of: ${known.join(", ")})`, { option: key });
    }
  }
}

export function optString(o, key) {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") throw argument(`\`${key}\` must be a string`);
  return v;
}

export function optBool(o, key) {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "boolean") throw argument(`\`${key}\` must be a boolean`);
  return v;
}

export function optWhole(o, key) {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (!Number.isSafeInteger(v) || v < 0) throw argument(`\`${key}\` must be a non-negative whole number`);
  return v;
}

export function abortSignal(o) {
  const signal = o.signal;
  if (signal === undefined || signal === null) return undefined;
  if (typeof signal.aborted !== "boolean") throw argument("`signal` must be an AbortSignal");
  return signal;
}

export function messageOf(e) {
  if (typeof e === "string") return e;
  return e?.message ?? String(e);
}
