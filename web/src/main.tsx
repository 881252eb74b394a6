import { render } from "preact";
import { App } from "./app";
import { start, worker } from "./model/actions";
import { get, resolvedTheme } from "./model/store";
import "./style.css";

document.documentElement.dataset.theme = resolvedTheme(get().theme);
void start();
const root = document.getElementById("app");
if (root) render(<App />, root);

// For scripts driving the page (its tests): the state and the worker.
(globalThis as unknown as { rawburnEditor: unknown }).rawburnEditor = { state: get, worker };
