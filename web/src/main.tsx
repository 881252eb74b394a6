import { render } from "preact";
import { App } from "./app";
import { start } from "./model/actions";
import "./style.css";

void start();
const root = document.getElementById("app");
if (root) render(<App />, root);

// For scripts driving the page (its tests): the state and the worker.
import { get } from "./model/store";
import { worker } from "./model/actions";
(globalThis as unknown as { rawburnEditor: unknown }).rawburnEditor = { state: get, worker };
