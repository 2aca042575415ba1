export * from "./util/index.js";
export * from "./root/index.js";
export { Workspace, Model, fit, fixedPoiFit, hypotest, hypotestToys, upperLimit, significance, loadWorkspace } from "./stats/index.js";
export * from "./analysis/index.js";
export { Hist, Regular, Variable, Integer, StrCategory, IntCategory, toRoot, fromRoot } from "./hist/index.js";
export { generateAgc, generateChunk, EVENT_SCHEMA, MODELS, XSEC, LUMINOSITY, SAMPLES } from "./generate/index.js";
export { stackPlot, fitStackPlot, variationsPlot, shapesPlot, hist2dPlot, pullsPlot, correlationPlot, rankingPlot, clsPlot, limitPlot, rocPlot, renderSVG, renderPNG, writePlot } from "./plot/index.js";
