// Test-only packages that ship no type declarations: JSROOT (the JS peer the reader is checked
// against) and pngjs (golden-image comparisons). They are used as `any` in the tests.
declare module "jsroot/*";
declare module "pngjs";
