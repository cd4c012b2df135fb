// The benchmark harness's publishing: `--save` replaces its own document's charts and leaves
// other documents' charts alone, though their names share the date.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";
import { afterEach, describe, expect, it } from "vitest";

const { chartsOf } = createRequire(__filename)("../bench/harness/report.js") as {
  chartsOf(dir: string, stem: string): string[];
};

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function folderWith(names: string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "zmq-napi-bench-report-"));
  dirs.push(dir);
  for (const name of names) fs.writeFileSync(path.join(dir, name), "");
  return dir;
}

describe("bench report: a document's charts", () => {
  const names = [
    "2026-12-02.md",
    "2026-12-02-lat-tcp.svg",
    "2026-12-02-thr-ipc.svg",
    "2026-12-02-epyc.md",
    "2026-12-02-epyc-lat-tcp.svg",
    "2026-12-02.json",
    "2026-11-22-lat-tcp.svg",
  ];

  it("are its own <stem>-<scenario>.svg files, not a same-day named copy's", () => {
    const dir = folderWith(names);
    expect(chartsOf(dir, "2026-12-02").sort()).toEqual([
      "2026-12-02-lat-tcp.svg",
      "2026-12-02-thr-ipc.svg",
    ]);
    expect(chartsOf(dir, "2026-12-02-epyc")).toEqual(["2026-12-02-epyc-lat-tcp.svg"]);
  });

  it("are found before the document itself is written (a first run of the day)", () => {
    const dir = folderWith(["2026-12-03-lat-tcp.svg", "benchmark-lat-tcp.svg"]);
    expect(chartsOf(dir, "2026-12-03")).toEqual(["2026-12-03-lat-tcp.svg"]);
    expect(chartsOf(dir, "benchmark")).toEqual(["benchmark-lat-tcp.svg"]);
  });
});
