// The package as published: what the tarball holds, and how each kind of
// user loads it (licence texts, CommonJS `require`, a TypeScript project
// without the DOM, an esbuild bundle).

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
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
