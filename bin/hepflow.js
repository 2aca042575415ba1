#!/usr/bin/env node
import { main } from "../dist/cli/main.js";
main(process.argv).catch((e) => {
  console.error(e?.name === "HepflowError" ? `hepflow: ${e.message}` : e);
  process.exit(1);
});
