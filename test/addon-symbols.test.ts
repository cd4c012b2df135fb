// The addon exports the two Node-API entry points and nothing else. Anything more is a symbol
// the host program can interpose: valgrind caught node's copy of a std::vector<void*> member
// allocating memory that the addon's static libstdc++ then freed (binding/exports.map).
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const addon = path.join(__dirname, "..", "build", "Release", "zmq_napi.node");

describe("the addon's dynamic symbol table", () => {
  it("exports napi_register_module_v1 and node_api_module_get_api_version_v1 only", () => {
    const table = execFileSync("nm", ["-D", "--defined-only", addon], { encoding: "utf8" });
    const names = table
      .split("\n")
      .map((line) => line.trim().split(/\s+/)[2])
      .filter((name): name is string => name !== undefined)
      .sort();
    expect(names).toEqual(["napi_register_module_v1", "node_api_module_get_api_version_v1"]);
  });
});
