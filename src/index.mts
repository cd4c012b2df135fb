// ES module entry: the same single instance as the CommonJS entry (no dual-package hazard).
export * from "./index.js";
