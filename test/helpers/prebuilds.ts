// The linux prebuilds present in prebuilds/ whose libc tag is `libc` (prebuilds/linux-*/
// zmq-napi.<libc>.node), for the audits that read every one (glibc's floor, musl's libraries).
import * as fs from "node:fs";
import * as path from "node:path";

export function linuxPrebuilds(libc: "glibc" | "musl"): string[] {
  const dir = path.join(__dirname, "..", "..", "prebuilds");
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((platform) => platform.startsWith("linux-"))
    .flatMap((platform) =>
      fs
        .readdirSync(path.join(dir, platform))
        .filter((name) => name.endsWith(`.${libc}.node`))
        .map((name) => path.join(dir, platform, name)),
    );
}
