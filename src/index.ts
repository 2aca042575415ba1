export * from "./util/index.js";
export * from "./root/index.js";
