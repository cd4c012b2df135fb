// ES module entry for the draft API: re-exports the CommonJS build.
export * from "./draft.js";
