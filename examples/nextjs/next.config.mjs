/** @type {import("next").NextConfig} */
const config = {
  // Load stripe-inbox (and PGlite's WASM) from node_modules at run time instead of bundling them:
  // the package reads its SQL migrations from files shipped beside it.
  serverExternalPackages: ["stripe-inbox", "@electric-sql/pglite"],
};

export default config;
