// The open project survives a reload: the document and the files it uses
// are kept in IndexedDB (files as the File objects themselves; browsers keep
// large ones on disk).

import type { Doc } from "./store";

const DB = "rawburn-editor";
const VERSION = 1;

function opened(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const r = indexedDB.open(DB, VERSION);
    r.onupgradeneeded = () => {
      r.result.createObjectStore("doc");
      r.result.createObjectStore("files");
    };
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

let db: Promise<IDBDatabase> | null = null;
function database(): Promise<IDBDatabase> {
  db ??= opened();
  return db;
}

function done(t: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    t.oncomplete = () => resolve();
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

export async function saveDoc(doc: Doc): Promise<void> {
  const t = (await database()).transaction("doc", "readwrite");
  t.objectStore("doc").put(doc, "current");
  await done(t);
}

export async function saveFiles(files: { name: string; file: File }[]): Promise<void> {
  const t = (await database()).transaction("files", "readwrite");
  for (const f of files) t.objectStore("files").put(f.file, f.name);
  await done(t);
}

export async function forgetFiles(names: string[]): Promise<void> {
  const t = (await database()).transaction("files", "readwrite");
  for (const n of names) t.objectStore("files").delete(n);
  await done(t);
}

/** The kept document and files, or null when there are none. */
export async function load(): Promise<{ doc: Doc; files: { name: string; file: File }[] } | null> {
  const d = await database();
  const t = d.transaction(["doc", "files"], "readonly");
  const docReq = t.objectStore("doc").get("current");
  const keys = t.objectStore("files").getAllKeys();
  const values = t.objectStore("files").getAll();
  await done(t);
  const doc = docReq.result as Doc | undefined;
  if (!doc) return null;
  const names = keys.result as string[];
  const files = (values.result as File[]).map((file, i) => ({ name: names[i], file }));
  return { doc, files };
}

export async function clearAll(): Promise<void> {
  const t = (await database()).transaction(["doc", "files"], "readwrite");
  t.objectStore("doc").clear();
  t.objectStore("files").clear();
  await done(t);
}
