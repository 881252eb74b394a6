// Builds the npm package `rawburn` into pkg/: the crate for
// wasm32-unknown-unknown (release, SIMD), wasm-bindgen's ES module glue
// (--target web), the module optimised by binaryen's wasm-opt, the
// companion client (js/companion.js and js/companion/, whose operations
// take over the drive functions of the glue), and the package's own
// entries: index.js for browsers and bundlers (fetches the .wasm next to
// it), node.js for Node (reads it from disk synchronously, so CommonJS can
// require it), index.d.ts, package.json, README.md and the licence texts.
//
//   node scripts/build.mjs        (npm run build)

import { execFileSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const crate = dirname(dirname(fileURLToPath(import.meta.url)));
const root = join(crate, "..", "..");
const pkg = join(crate, "pkg");
const wasmTarget = "wasm32-unknown-unknown";

function run(cmd, args, env = {}) {
  execFileSync(cmd, args, { cwd: root, stdio: "inherit", env: { ...process.env, ...env } });
}

// The CLI must be the version of the wasm-bindgen crate in Cargo.lock:
// both sides of the ABI come from the same release.
const lock = readFileSync(join(root, "Cargo.lock"), "utf8");
const locked = /name = "wasm-bindgen"\nversion = "([^"]+)"/.exec(lock)?.[1];
let cli = "";
try {
  cli = execFileSync("wasm-bindgen", ["--version"], { encoding: "utf8" }).trim().split(/\s+/)[1];
} catch {
  cli = "";
}
if (!locked || cli !== locked) {
  console.error(
    `build: wasm-bindgen ${cli || "is not installed"}; Cargo.lock has ${locked}. ` +
      `Run scripts/setup.sh, or: cargo install wasm-bindgen-cli --version ${locked}`,
  );
  process.exit(1);
}

// wasm-opt is binaryen's, the version this package.json pins (installed by
// `npm ci`): one version everywhere, so every machine builds the same
// bytes. Not Debian's: bookworm's binaryen 108 points wasm-bindgen's
// externref table export at the function table (fixed in binaryen 110).
const devDependencies = JSON.parse(readFileSync(join(crate, "package.json"), "utf8")).devDependencies;
const wasmOpt = join(crate, "node_modules", ".bin", "wasm-opt");
let binaryen = "";
try {
  binaryen = JSON.parse(readFileSync(join(crate, "node_modules", "binaryen", "package.json"), "utf8")).version;
} catch {
  binaryen = "";
}
if (!existsSync(wasmOpt) || binaryen !== devDependencies.binaryen) {
  console.error(
    `build: wasm-opt (binaryen ${devDependencies.binaryen}, a development dependency of crates/wasm) is ` +
      `${binaryen ? `at ${binaryen}` : "not installed"}. Run scripts/setup.sh, or: npm ci --prefix crates/wasm`,
  );
  process.exit(1);
}

run("cargo", ["build", "-j2", "--release", "-p", "rawburn-wasm", "--target", wasmTarget], {
  // SIMD (every current browser, Node >= 16.4) speeds up the encoder.
  CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS: "-C target-feature=+simd128",
});

rmSync(pkg, { recursive: true, force: true });
mkdirSync(pkg, { recursive: true });
run("wasm-bindgen", [
  "--target", "web",
  "--out-dir", pkg,
  "--out-name", "rawburn",
  "--remove-producers-section",
  join(root, "target", wasmTarget, "release", "rawburn.wasm"),
]);

// Optimised for speed (-O3), without the name section (function names are
// for debugging; they were a tenth of the file): 2.81 MB -> 2.34 MB.
// bench/build.mjs, 14 interleaved rounds, the fastest counting: -O3 built
// CloneCD at 1020 MB/s and raw at 1130 (no wasm-opt: 1002, 1083; -Oz,
// 40 KB smaller: 955, 1119, slower on CloneCD). The features are the ones
// the module declares (its target_features section), so nothing newer is
// introduced.
const wasm = join(pkg, "rawburn_bg.wasm");
const before = statSync(wasm).size;
run(wasmOpt, ["-O3", "--strip-debug", "--strip-producers", wasm, "-o", wasm]);
console.error(`build: wasm-opt -O3: ${before} -> ${statSync(wasm).size} bytes`);

// The public names: everything wasm-bindgen exports but its loaders.
const loaders = new Set(["initSync", "InitInput", "InitOutput", "SyncInitInput", "default"]);
// The loaders' types go: only the entries call them (the package's
// `exports` keep rawburn.js private), and they name DOM types (Response,
// BufferSource) and WebAssembly's, which a Node project without the DOM
// library does not have. Everything from InitInput on is theirs.
const fullDts = readFileSync(join(pkg, "rawburn.d.ts"), "utf8");
const loaderTypes = fullDts.indexOf("\nexport type InitInput");
if (loaderTypes < 0) {
  console.error("build: rawburn.d.ts has no InitInput: wasm-bindgen's .d.ts changed shape");
  process.exit(1);
}
// wasm-bindgen's own members of each class get their hover docs here.
const dts = fullDts
  .slice(0, loaderTypes + 1)
  .replaceAll(
    "\n    free(): void;",
    "\n    /** Frees the object's WebAssembly memory now; it cannot be used afterwards. */\n    free(): void;",
  )
  .replaceAll(
    "\n    [Symbol.dispose](): void;",
    "\n    /** `free()`, for `using` declarations. */\n    [Symbol.dispose](): void;",
  );
writeFileSync(join(pkg, "rawburn.d.ts"), dts);
const values = [];
const types = [];
for (const m of dts.matchAll(/^export (class|function|type|interface) (\w+)/gm)) {
  const [, kind, name] = m;
  // A function declared twice is overloaded (readDisc for a CompanionDevice).
  if (loaders.has(name) || values.includes(name)) continue;
  (kind === "class" || kind === "function" ? values : types).push(name);
}
// The companion client: CompanionDevice, and the drive operations, which
// take a CompanionDevice or hand a WebUSB device to the glue's. Its names
// are typed in rawburn.d.ts (src/companion.rs) like the rest.
const companionJs = readFileSync(join(crate, "js", "companion.js"), "utf8");
const companion = [...companionJs.matchAll(/^export (?:async )?(?:class|function) (\w+)/gm)].map((m) => m[1]);
const untyped = companion.filter((name) => !values.includes(name));
if (untyped.length > 0) {
  console.error(`build: js/companion.js exports ${untyped.join(", ")}, which rawburn.d.ts does not declare`);
  process.exit(1);
}
const header = "// The package entry; the API is in rawburn.js (wasm-bindgen glue) and companion.js.\n";
const reexport =
  `export { ${values.filter((name) => !companion.includes(name)).join(", ")} } from "./rawburn.js";\n` +
  `export { ${companion.join(", ")} } from "./companion.js";\n`;
const typesReexport = `export { ${values.join(", ")} } from "./rawburn.js";\n`;

// The browser entry fetches the module, which only a promise can wait for:
// it keeps a top-level await (ES modules in browsers and bundlers allow it).
writeFileSync(
  join(pkg, "index.js"),
  header +
    'import init from "./rawburn.js";\n\n' +
    "// Browsers and bundlers: fetch the module next to this file.\n" +
    'await init({ module_or_path: new URL("./rawburn_bg.wasm", import.meta.url) });\n\n' +
    reexport,
);
// The Node entry reads and compiles the module synchronously: without a
// top-level await, `require("rawburn")` works in every Node that can
// require ES modules (20.19, 22.12 and later).
writeFileSync(
  join(pkg, "node.js"),
  header +
    'import { readFileSync } from "node:fs";\n' +
    'import { initSync } from "./rawburn.js";\n\n' +
    "// Node: read the module from disk, synchronously, so that require() can load this file.\n" +
    'initSync({ module: readFileSync(new URL("./rawburn_bg.wasm", import.meta.url)) });\n\n' +
    reexport,
);
writeFileSync(
  join(pkg, "index.d.ts"),
  typesReexport + `export type { ${types.join(", ")} } from "./rawburn.js";\n`,
);
copyFileSync(join(crate, "js", "companion.js"), join(pkg, "companion.js"));
cpSync(join(crate, "js", "companion"), join(pkg, "companion"), { recursive: true });

const manifest = JSON.parse(readFileSync(join(crate, "npm", "package.json"), "utf8"));
const version = /^version = "([^"]+)"/m.exec(readFileSync(join(root, "Cargo.toml"), "utf8"))?.[1];
manifest.version = version;
writeFileSync(join(pkg, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
copyFileSync(join(crate, "README.md"), join(pkg, "README.md"));
// The workspace's licence (MIT OR Apache-2.0): both texts.
for (const license of ["LICENSE-MIT", "LICENSE-APACHE"]) {
  copyFileSync(join(root, license), join(pkg, license));
}
console.error(`build: ${pkg} (rawburn ${version}: ${values.length} exports, ${types.length} types)`);
