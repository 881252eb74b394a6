// The package as published: what the tarball holds, and how each kind of
// user loads it (licence texts, CommonJS `require`, TypeScript projects
// with and without the DOM, an esbuild bundle).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { crate, esbuildBundle, installPackage, root } from "./support.mjs";

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
    // wasm-bindgen's output is about 3.1 MB, wasm-opt -O3's about 2.6 MB.
    assert.ok(bytes.length < 2_750_000, `${bytes.length} bytes`);
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

/**
 * Type-checks tests/typescript/`file` with `tsc --noEmit` (strict, no
 * skipLibCheck) in a project of its own inside the user's project (which
 * has the packed package installed), with `lib` and `types` as given.
 * Returns tsc's output; fails on any error.
 */
function typecheck(name, file, lib, types) {
  const dir = join(installPackage(), `ts-${name}`);
  mkdirSync(dir, { recursive: true });
  cpSync(join(crate, "tests", "typescript", file), join(dir, file));
  const compilerOptions = {
    strict: true,
    noEmit: true,
    target: "es2022",
    lib,
    module: "nodenext",
    moduleResolution: "nodenext",
    types,
    // @types/node is the development dependency of crates/wasm.
    typeRoots: [join(crate, "node_modules", "@types")],
  };
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions, files: [file] }, null, 2));
  try {
    return execFileSync(join(crate, "node_modules", ".bin", "tsc"), ["-p", dir], { encoding: "utf8" });
  } catch (e) {
    assert.fail(`tsc found errors in ${name}:\n${e.stdout}${e.stderr}`);
  }
}

describe("TypeScript", () => {
  test("a Node project without the DOM library compiles (lib es2022, types node, strict)", () => {
    typecheck("node", "use.ts", ["es2022"], ["node"]);
  });

  test("a browser project compiles (lib es2022 and dom, no Node types)", () => {
    typecheck("dom", "use.ts", ["es2022", "dom"], []);
  });

  test("the typings resolve with neither the DOM nor Node's types", () => {
    typecheck("bare", "api-only.ts", ["es2022"], []);
  });

  test("every field and option has a doc comment (hover docs)", () => {
    const dts = readFileSync(join(installPackage(), "node_modules", "rawburn", "rawburn.d.ts"), "utf8");
    const lines = dts.split("\n");
    const documented = (i) => {
      let j = i - 1;
      while (j >= 0 && lines[j].trim() === "") j -= 1;
      return j >= 0 && lines[j].trim().endsWith("*/");
    };
    const missing = [];
    let block = null;
    for (let i = 0; i < lines.length; i += 1) {
      const top = /^export (class|interface|type|function) (\w+)/.exec(lines[i]);
      if (top) {
        if (!documented(i)) missing.push(top[2]);
        block = /\{\s*$/.test(lines[i]) && (top[1] === "class" || top[1] === "interface") ? top[2] : null;
        continue;
      }
      if (lines[i] === "}") block = null;
      const member = /^ {4}(?:readonly |static |get |set )?([\w[\].]+)[?(:]/.exec(lines[i]);
      if (block && member && !documented(i)) missing.push(`${block}.${member[1]}`);
    }
    assert.deepEqual(missing, []);
  });
});

describe("esbuild", () => {
  test("a Node script bundled with esbuild runs on its own, the .wasm next to it", () => {
    const out = esbuildBundle(
      [
        'import { ImageCreator, version } from "rawburn";',
        "const disc = new ImageCreator();",
        'disc.addTrack("mode1", new Uint8Array(300 * 2048));',
        "console.log(JSON.stringify({ version: version(), leadout: disc.tableOfContents().leadout }));",
        "",
      ].join("\n"),
      "node",
    );
    const bundle = readFileSync(join(out, "app.js"), "utf8");
    assert.doesNotMatch(bundle, /from "rawburn"/, "the package is not bundled");
    // ES module output; the directory holds the bundle and the module only.
    writeFileSync(join(out, "package.json"), JSON.stringify({ type: "module" }));
    const printed = execFileSync(process.execPath, [join(out, "app.js")], { cwd: out, encoding: "utf8" });
    assert.deepEqual(JSON.parse(printed), { version: JSON.parse(readFileSync(join(pkg, "package.json"))).version, leadout: 300 });
  });
});
