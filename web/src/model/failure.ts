// Errors as the views show them: the worker's, and the package's thrown on
// the page's thread, in one shape.

import { WorkerError } from "../worker/client";
import type { Failure } from "../worker/protocol";

export function failureOf(e: unknown): Failure {
  if (e instanceof WorkerError) return e.failure;
  const o = (e ?? {}) as Record<string, unknown>;
  const f: Failure = { code: typeof o.code === "string" ? o.code : "error", message: e instanceof Error ? e.message : String(e) };
  for (const k of ["track", "line", "column"] as const) if (typeof o[k] === "number") f[k] = o[k] as number;
  if (typeof o.source === "string") f.source = o.source;
  return f;
}
