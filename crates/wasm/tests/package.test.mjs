// The package as published: what the tarball holds, and how each kind of
// user loads it (licence texts, CommonJS `require`, a TypeScript project
// without the DOM, an esbuild bundle).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { crate, installPackage, root } from "./support.mjs";

const pkg = join(crate, "pkg");

describe("the tarball", () => {
  test("holds both licence texts, listed in files", () => {
    const [packed] = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", pkg], { cwd: crate, encoding: "utf8" }),
    );
    const paths = packed.files.map((f) => f.path);
    for (const license of ["LICENSE-MIT", "LICENSE-APACHE"]) {
      assert.ok(paths.includes(license), `${license} is not in the tarball: ${paths.join(", ")}`);
      const installed = join(installPackage(), "node_modules", "rawburn", license);
      assert.equal(readFileSync(installed, "utf8"), readFileSync(join(root, license), "utf8"), license);
    }
    const manifest = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
    assert.equal(manifest.license, "MIT OR Apache-2.0");
    assert.ok(manifest.files.includes("LICENSE-MIT") && manifest.files.includes("LICENSE-APACHE"));
    assert.match(readFileSync(join(root, "LICENSE-APACHE"), "utf8"), /Apache License\s+Version 2\.0/);
    assert.match(readFileSync(join(root, "LICENSE-MIT"), "utf8"), /^MIT License/);
  });
});

describe("the module", () => {
  test("is optimised by wasm-opt: no name section, smaller than wasm-bindgen made it", () => {
    const bytes = readFileSync(join(installPackage(), "node_modules", "rawburn", "rawburn_bg.wasm"));
    const module = new WebAssembly.Module(bytes);
    assert.deepEqual(WebAssembly.Module.customSections(module, "name"), [], "the name section is still there");
    assert.deepEqual(WebAssembly.Module.customSections(module, "producers"), []);
    // wasm-bindgen's output is about 2.8 MB, wasm-opt -Oz's about 2.3 MB.
    assert.ok(bytes.length < 2_500_000, `${bytes.length} bytes`);
  });
});

describe("loading", () => {
  test("require('rawburn') from a CommonJS module", (t) => {
    if (!process.features.require_module) {
      t.skip(`Node ${process.version} cannot require ES modules (20.19, 22.12 or later can)`);
      return;
    }
    const project = installPackage();
    writeFileSync(
      join(project, "require.cjs"),
      [
        '"use strict";',
        'const { ImageCreator, version } = require("rawburn");',
        "const disc = new ImageCreator();",
        'disc.addTrack("mode1", new Uint8Array(300 * 2048));',
        "const toc = disc.tableOfContents();",
        "console.log(JSON.stringify({ version: version(), tracks: toc.tracks.length, leadout: toc.leadout }));",
        "",
      ].join("\n"),
    );
    const out = execFileSync(process.execPath, ["require.cjs"], { cwd: project, encoding: "utf8" });
    assert.deepEqual(JSON.parse(out), { version: JSON.parse(readFileSync(join(pkg, "package.json"))).version, tracks: 1, leadout: 300 });
  });

  test("the Node entry has no top-level await; the browser entry fetches the module", () => {
    const dir = join(installPackage(), "node_modules", "rawburn");
    assert.doesNotMatch(readFileSync(join(dir, "node.js"), "utf8"), /^\s*await\b|\bawait\s/m);
    assert.match(readFileSync(join(dir, "index.js"), "utf8"), /new URL\("\.\/rawburn_bg\.wasm", import\.meta\.url\)/);
  });
});
