// ES module entry for the v5 API: re-exports the CommonJS build (one instance for both), and
// offers it as the default export too, for v5 code that does `import zmq from …`.
import v5 from "./v5-compat.js";

export * from "./v5-compat.js";
export default v5;
