/** service/: the data-delivery service (ServiceX-like) — transforms, SQLite state, server cache, HTTP API — and its client. */
export { DeliveryService, RequestError, TRANSFORMER_VERSION, OUTPUT_FORMATS } from "./service.js";
export type { ServiceOptions, TransformRequest, TransformStatusView, OutputFormat } from "./service.js";
export { ServiceStore, tokenHash } from "./store.js";
export type { TransformRow, FileRow, TransformStatus, FileStatus } from "./store.js";
export { resolveDataset } from "./dataset.js";
export type { DatasetFile, ResolveOptions } from "./dataset.js";
export { transformFile, counters } from "./transformer.js";
export type { TransformJob, TransformResult } from "./transformer.js";
export { buildServer, serve, SCHEMAS } from "./server.js";
export type { ServerOptions } from "./server.js";
export { ServiceClient, deliver, parseSpec } from "./client.js";
export type { DeliverSpec, DeliverOptions, DeliverResult, SampleSpec } from "./client.js";
