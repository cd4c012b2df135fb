// The only module that knows the addon's shape: it loads the binary and declares what it
// exports. Everything else imports the typed API built on top of it.
import * as path from "node:path";

/** Flags for `zmq_has()` capabilities, as the addon reports them. */
export interface NativeCapability {
  ipc: boolean;
  pgm: boolean;
  tipc: boolean;
  norm: boolean;
  curve: boolean;
  gssapi: boolean;
  draft: boolean;
  websockets: boolean;
}

export interface NativeAddon {
  readonly version: string;
  readonly capability: Readonly<NativeCapability>;
  readonly errno: Readonly<Record<string, number>>;
}

const packageRoot = path.join(__dirname, "..");

function loadAddon(): NativeAddon {
  // node-gyp-build picks prebuilds/<platform>-<arch>/ first, then build/Release.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nodeGypBuild = require("node-gyp-build") as (dir: string) => unknown;
  try {
    return nodeGypBuild(packageRoot) as NativeAddon;
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new Error(
      `zmq-napi: could not load its native addon for ${process.platform}-${process.arch} ` +
        `(Node-API 8, ${process.release.name} ${process.version}).\n` +
        `  ${message.split("\n")[0]}\n` +
        "Possible solutions:\n" +
        "  - Reinstall (npm install zmq-napi): releases ship prebuilt binaries for common platforms.\n" +
        "  - Build from source: install cmake, a C++ compiler, python3, tar, xz and patch, then\n" +
        "    run `npm rebuild zmq-napi` (set ZMQ_NAPI_BUILD_FROM_SOURCE=1 to skip prebuilds).",
      { cause },
    );
  }
}

export const addon: NativeAddon = loadAddon();
