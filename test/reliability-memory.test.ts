// Memory under sustained traffic: scripts/memory-check.js (1,000,000 messages by default) at a
// fifth of its size, per transport, from src/. After the first 20% of the messages the
// memory line must be flat: what is left at the end may not exceed the warm sample by more
// than a generous bound, and the samples after warm-up must not climb steadily.
import * as path from "node:path";
import { describe, it } from "vitest";

import { lastJson, runFixture, type ChildResult } from "./fixtures/reliability-helpers";

interface Sample {
  messages: number;
  rss: number;
  external: number;
  arrayBuffers: number;
  heapUsed: number;
}

interface Report {
  messages: number;
  bytes: number;
  elapsed: number;
  samples: Sample[];
  warm: number;
  growth: {
    rss: number;
    external: number;
    arrayBuffers: number;
    heapUsed: number;
    peakRssOverWarm: number;
  };
}

/** Runs scripts/memory-check.js (it needs --expose-gc) in a child of its own. */
function memoryCheck(args: string[]): Promise<ChildResult> {
  return runFixture(path.join("..", "..", "scripts", "memory-check.js"), args, {
    nodeArgs: ["--expose-gc"],
  }).done;
}

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  const mx = points.reduce((a, [x]) => a + x, 0) / n;
  const my = points.reduce((a, [, y]) => a + y, 0) / n;
  const num = points.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0);
  const den = points.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

const MiB = 2 ** 20;

describe.concurrent("scripts/memory-check.js, 200,000 messages of 16 B … 64 KiB", () => {
  it.for(["tcp", "inproc"])(
    "over %s: RSS and external memory level off",
    { timeout: 90_000 },
    async (transport, { expect }) => {
      const messages = 200_000;
      const result = await memoryCheck([
        "--messages",
        String(messages),
        "--transport",
        transport,
        "--samples",
        "20",
        "--from-src",
        "--json",
        "--max-growth-mb",
        "64",
      ]);
      expect(result.stderr).toBe("");
      expect(result.signal).toBeNull();
      expect(result.code).toBe(0);
      const report = lastJson<Report>(result.stdout);
      const mib = (n: number) => (n / MiB).toFixed(1);
      const after = report.samples.filter((s) => s.messages >= report.warm);
      console.log(
        `memory-check ${transport}: ${report.messages} messages, ${(report.bytes / 2 ** 30).toFixed(2)} GiB in ${report.elapsed.toFixed(1)} s; ` +
          `RSS after warm-up ${mib(Math.min(...after.map((s) => s.rss)))}–${mib(Math.max(...after.map((s) => s.rss)))} MiB, ` +
          `external ${mib(Math.min(...after.map((s) => s.external)))}–${mib(Math.max(...after.map((s) => s.external)))} MiB; ` +
          `growth rss ${mib(report.growth.rss)} MiB, external ${mib(report.growth.external)} MiB`,
      );
      expect(report.messages).toBe(messages);
      expect(after.length).toBeGreaterThanOrEqual(10);
      // Generous: in-flight messages (HWM 1000 each way, ~12 KiB on average) alone are ~25 MiB.
      expect(report.growth.rss).toBeLessThan(64 * MiB);
      expect(report.growth.peakRssOverWarm).toBeLessThan(96 * MiB);
      expect(report.growth.external).toBeLessThan(32 * MiB);
      expect(report.growth.heapUsed).toBeLessThan(16 * MiB);
      // The fitted slope of the samples after warm-up, in bytes per message: a leak of a few
      // hundred bytes a message climbs tens of MiB over these 160,000 messages. (Samples are
      // taken with nothing in flight, but RSS still moves by some MiB as malloc arenas grow
      // and shrink; hence the generous bounds.)
      const perMessage = (key: "rss" | "external") => slope(after.map((s) => [s.messages, s[key]]));
      expect(perMessage("external")).toBeLessThan(128);
      expect(perMessage("rss")).toBeLessThan(300);
    },
  );
});
