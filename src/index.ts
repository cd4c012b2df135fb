// The public entry point of zmq-napi: re-exports only.
export { version, capability } from "./info";
