// Whether the page was opened from the companion (`rawburn serve`), and its
// session: the address's `#token=` is traded once for the session cookie.

export type Reach = { kind: "companion" } | { kind: "none"; why: string };

let reach: Promise<Reach> | null = null;

export function companionReach(): Promise<Reach> {
  reach ??= find();
  return reach;
}

async function find(): Promise<Reach> {
  if (location.protocol !== "http:" || !/^(127\.0\.0\.1|localhost|\[::1\])$/.test(location.hostname))
    return { kind: "none", why: "This page was not opened from rawburn's companion." };
  try {
    const token = new URLSearchParams(location.hash.slice(1)).get("token");
    if (token) {
      history.replaceState(null, "", location.pathname + location.search);
      const r = await fetch("v1/session", { method: "POST", body: JSON.stringify({ token }), headers: { "Content-Type": "application/json" } });
      if (!r.ok) return { kind: "none", why: `The companion refused this address's token (${(await r.text()) || r.status}): use the address it printed, once.` };
      return { kind: "companion" };
    }
    const r = await fetch("v1/session");
    if (r.status === 204) return { kind: "companion" };
    if (r.status === 401) return { kind: "none", why: "The companion is running but this page has no session: open the address it printed (with #token=…)." };
    return { kind: "none", why: "This page was not opened from rawburn's companion." };
  } catch {
    return { kind: "none", why: "This page was not opened from rawburn's companion." };
  }
}
