/** The PNG rasteriser (native resvg). The browser build (../browser/resvg.ts) has none: a page draws the SVG itself. */
export { Resvg } from "@resvg/resvg-js";
