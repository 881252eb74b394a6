import { defineConfig } from "vite";

// The editor is one page; the worker is an ES module (it imports the
// package, whose browser entry waits for its WebAssembly with a top-level
// await), and the build runs where `rawburn serve` embeds it.
export default defineConfig({
  base: "./",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 4096,
  },
  worker: { format: "es" },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  optimizeDeps: { exclude: ["rawburn"] },
});
