/** web/: the `hepflow ui` app — its HTTP server and routes over the layers below; the page itself is built from web/ by Vite. */
export { buildUiServer, startUi, defaultClientDir } from "./server.js";
export type { UiOptions, UiServer } from "./server.js";
export { resolveInRoot, realRoot, CSP } from "./security.js";
export { liveHistograms, RunManager } from "./runs.js";
export type { RunRequest, LiveView, LiveHistogram } from "./runs.js";
export { drawFile, overlaySpec } from "./draw.js";
export type { DrawRequest, DrawnHistogram } from "./draw.js";
