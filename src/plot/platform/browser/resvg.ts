import type * as Node from "../node/resvg.js";

/** PNG rasterising needs resvg's native binding; in a page, show the SVG (renderSVG) or let the browser rasterise it. */
export const Resvg: typeof Node.Resvg = class {
  constructor() {
    throw new Error("PNG rendering (resvg) is not available in the browser build; draw the SVG from renderSVG() instead");
  }
} as never;
