// Property-based tests of the message path (send → libzmq → batched receive → Buffers): random
// frame counts and sizes (biased to the 4 KiB, 8 KiB and 64 KiB thresholds of the receive
// path), random backlogs queued before the first receive, random mixes of send and receive
// styles, over inproc, ipc and tcp, for every socket pair that carries messages. The oracle is
// the plan alone (see helpers/message-path.ts). Issue 14: a backlog of 7-frame messages
// overflowed the metadata array the batched receive shares with JavaScript.
//
// RADIO/DISH runs over tcp, ipc and inproc, not udp://: datagrams may be dropped, and the
// oracle needs every message (test/draft-sockets.test.ts covers udp://).
//
// A failure prints fast-check's seed, path and shrunk plan; each property also writes its seed
// to stderr first, for a crash. To replay one:
//   FC_SEED=<seed> FC_PATH=<path> npx vitest run test/message-path.property.test.ts -t <kind>
import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { Pull, Push } from "../src/index";
import { bindFresh, transports } from "./helpers/endpoints";
import { sleep, within } from "./helpers/lifecycle";
import { MAX_FRAME_BYTES, MessageContent } from "./helpers/message-content";
import {
  runPlan,
  volume,
  type Plan,
  type ReceiveStyle,
  type SendStyle,
  type Shape,
  type Step,
} from "./helpers/message-path";
import { singleFrameKinds, unbatchedKinds, type PeerKind } from "./helpers/message-peers";

// --- budgets ------------------------------------------------------------------------------------

/** Bytes of one random plan (the explicit large cases below go up to 64 MiB). */
const PLAN_BYTES = 16 << 20;
/** Frames of one random plan: each costs a few microseconds on both sides. */
const PLAN_FRAMES = 60_000;
/** Bytes of one message of a random plan. */
const MESSAGE_BYTES = 8 << 20;

// --- the model ----------------------------------------------------------------------------------

const thresholds = [4095, 4096, 4097, 8191, 8192, 8193, 65535, 65536, 65537];

const frameSize = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...thresholds) },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 64 }) },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 70_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, MAX_FRAME_BYTES - 1, MAX_FRAME_BYTES) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: MAX_FRAME_BYTES }) },
);

// Small frames most of all: a batch packs up to 64 KiB of frames of at most 4 KiB, so only
// small frames put hundreds of messages, and their metadata, into one batch.
const smallFrameSize = fc.integer({ min: 0, max: 64 });

function shape(singleFrame: boolean): fc.Arbitrary<Shape> {
  const frames = singleFrame
    ? fc.constant(1)
    : fc.oneof(
        { weight: 3, arbitrary: fc.integer({ min: 1, max: 16 }) },
        { weight: 2, arbitrary: fc.integer({ min: 1, max: 300 }) },
      );
  const sizes = fc.oneof(
    { weight: 2, arbitrary: fc.array(smallFrameSize, { minLength: 1, maxLength: 6 }) },
    { weight: 2, arbitrary: fc.array(frameSize, { minLength: 1, maxLength: 6 }) },
  );
  return fc.record({ frames, sizes }).map(({ frames, sizes }) => {
    // Many frames of up to 1 MiB would not fit the budget: cap the frame size instead.
    const cap = Math.floor(MESSAGE_BYTES / frames);
    return { frames, sizes: sizes.slice(0, frames).map((size) => Math.min(size, cap)) };
  });
}

const count = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 10 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 300 }) },
);

// Issue 14 needed several multipart messages ready at once (127 of 7 frames, 5 of 298).
const backlog = fc.oneof(
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 30 }) },
  { weight: 3, arbitrary: fc.integer({ min: 100, max: 700 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 10_000 }) },
);

const groupName = fc.string({
  unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789._-"),
  minLength: 1,
  maxLength: 255,
});

const receiveStyles: ReceiveStyle[] = ["receive", "tryReceive", "receiveBatch", "for await"];

function plan(kind: PeerKind): fc.Arbitrary<Plan> {
  const sendStyles: SendStyle[] = ["send", "send unawaited", "trySend"];
  if (!unbatchedKinds.includes(kind)) sendStyles.push("sendBatch");
  const steps = <S>(styles: S[]): fc.Arbitrary<Step<S>[]> =>
    fc.array(fc.record({ style: fc.constantFrom(...styles), count }), {
      minLength: 1,
      maxLength: 5,
    });
  return fc
    .record({
      kind: fc.constant(kind),
      transport: fc.constantFrom(...transports),
      shapes: fc.array(shape(singleFrameKinds.includes(kind)), { minLength: 1, maxLength: 4 }),
      backlog,
      live: fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 300 })),
      sends: steps(sendStyles),
      receives: steps(receiveStyles),
      salt: fc.integer({ min: 0, max: 0x7fffffff }),
      groups:
        kind === "RADIO/DISH"
          ? fc.uniqueArray(groupName, { minLength: 1, maxLength: 3 })
          : fc.constant<string[]>([]),
    })
    .map(withinBudget);
}

/** The plan with as many messages as fit the byte and frame budgets (backlog kept first). */
function withinBudget(planned: Plan): Plan {
  let messages = Math.max(1, planned.backlog + planned.live);
  let { bytes, frames } = volume(planned.shapes, messages);
  while (messages > 1 && (bytes > PLAN_BYTES || frames > PLAN_FRAMES)) {
    messages = Math.max(1, Math.floor(messages * 0.8));
    ({ bytes, frames } = volume(planned.shapes, messages));
  }
  const backlog = Math.min(planned.backlog, messages);
  return { ...planned, backlog, live: messages - backlog };
}

// --- running properties -------------------------------------------------------------------------

/**
 * The seed of a property: FC_SEED to replay a reported failure (with FC_PATH), else a fresh one.
 * It is written out before the runs: a crash of the process (memory corruption in the addon)
 * leaves no fast-check report, and the seed is then all there is to replay it.
 */
function seedFor(kind: PeerKind): Pick<fc.Parameters<unknown>, "seed" | "path"> {
  const replayed = process.env.FC_SEED;
  const seed = replayed === undefined ? (Math.random() * 2 ** 31) | 0 : Number(replayed);
  process.stderr.write(`message-path ${kind}: fast-check seed ${seed}\n`);
  return { seed, path: process.env.FC_PATH };
}

async function holds(kind: PeerKind, numRuns: number): Promise<void> {
  // MESSAGE_PATH_TRACE=1 writes each plan before it runs (to find the one a crash ran).
  const trace = process.env.MESSAGE_PATH_TRACE === "1";
  // fc.assert throws with the seed, the path and the shrunk plan: vitest prints that message.
  await fc.assert(
    fc.asyncProperty(plan(kind), (planned) => {
      if (trace) process.stderr.write(`plan ${JSON.stringify(planned)}\n`);
      return runPlan(planned);
    }),
    { numRuns, ...seedFor(kind) },
  );
}

// Per kind: the multipart kinds stress the batch metadata the most; the draft kinds carry
// single frames with a routing id or a group.
const runs: Array<[PeerKind, number]> = [
  ["PUSH/PULL", 30],
  ["PAIR", 15],
  ["DEALER/ROUTER", 15],
  ["PUB/SUB", 12],
  ["CLIENT/SERVER", 10],
  ["SERVER/CLIENT", 8],
  ["RADIO/DISH", 10],
];

describe("every message arrives byte-exact, whole and in order", () => {
  it.each(runs)("%s (%i random plans)", (kind, numRuns) => holds(kind, numRuns), 120_000);
});

// --- explicit large cases -----------------------------------------------------------------------

/** A plan with defaults for what a case does not care about. */
function explicit(fields: Partial<Plan> & Pick<Plan, "shapes" | "backlog">): Plan {
  return {
    kind: "PUSH/PULL",
    transport: "tcp",
    live: 0,
    sends: [{ style: "sendBatch", count: 100 }],
    receives: [
      { style: "for await", count: 50 },
      { style: "receiveBatch", count: 256 },
      { style: "tryReceive", count: 7 },
      { style: "receive", count: 3 },
    ],
    salt: 14,
    groups: [],
    ...fields,
  };
}

const edges = [0, 1, 4095, 4096, 4097, 8191, 8192, 8193, 65535, 65536, 65537];

describe("large cases", () => {
  it.each(transports)(
    "messages of 10,000 and 20,000 frames over %s",
    async (transport) => {
      await runPlan(
        explicit({
          transport,
          shapes: [
            { frames: 10_000, sizes: [0, 1, 10, 4096, 7] },
            { frames: 3, sizes: [8] },
            { frames: 20_000, sizes: [12, 4097, 0] },
          ],
          // 10,000, 3, 20,000, 10,000 and 3 frames.
          backlog: 3,
          live: 2,
        }),
      );
    },
    60_000,
  );

  it("a message of 100,000 frames (past the old 65,536-frame guard)", async () => {
    await runPlan(explicit({ shapes: [{ frames: 100_000, sizes: [0, 16, 3] }], backlog: 2 }));
  }, 60_000);

  it.each(transports)(
    "a backlog of 10,000 messages over %s",
    async (transport) => {
      await runPlan(
        explicit({
          transport,
          shapes: [
            { frames: 7, sizes: [10] },
            { frames: 3, sizes: [0, 4096, 1] },
            { frames: 1, sizes: [4097] },
            { frames: 64, sizes: [10, 0] },
          ],
          backlog: 10_000,
          live: 500,
        }),
      );
    },
    60_000,
  );

  it.each(transports)(
    "1 MiB frames, 61 MiB in all, over %s",
    async (transport) => {
      await runPlan(
        explicit({
          transport,
          shapes: [
            { frames: 1, sizes: [MAX_FRAME_BYTES] },
            { frames: 5, sizes: [MAX_FRAME_BYTES - 1, 10, MAX_FRAME_BYTES, 0, 4096] },
            { frames: edges.length, sizes: edges },
          ],
          // 19 rounds of the three shapes, 3.2 MiB each.
          backlog: 45,
          live: 12,
          sends: [
            { style: "send", count: 2 },
            { style: "sendBatch", count: 5 },
            { style: "trySend", count: 3 },
          ],
        }),
      );
    },
    60_000,
  );

  it("every pair kind carries a threshold-sized backlog", async () => {
    const kinds: PeerKind[] = [
      "PAIR",
      "DEALER/ROUTER",
      "PUB/SUB",
      "CLIENT/SERVER",
      "SERVER/CLIENT",
      "RADIO/DISH",
    ];
    for (const kind of kinds) {
      const single = singleFrameKinds.includes(kind);
      await runPlan(
        explicit({
          kind,
          transport: "tcp",
          shapes: single
            ? edges.map((size) => ({ frames: 1, sizes: [size] }))
            : [
                // Three small messages to one of every threshold size: about 25 MB in all.
                { frames: 7, sizes: [10] },
                { frames: 7, sizes: [10] },
                { frames: 7, sizes: [10] },
                { frames: edges.length, sizes: edges },
              ],
          backlog: 400,
          live: 50,
          sends: [{ style: unbatchedKinds.includes(kind) ? "send" : "sendBatch", count: 100 }],
          groups: ["g", "a-group-of-255-".padEnd(255, "x")],
        }),
      );
    }
  }, 60_000);
});

// --- where the batch metadata runs out ----------------------------------------------------------

// Messages × frames at which a batch's shared metadata array (256 messages of 3 frames) is
// exactly full or one message past it. Before the fix, the old layout (1 + 2p slots per
// message, 1,793 in all) wrote past its end from the 5th message of 298 frames, the 127th of
// 7 and the 3rd of 895; the new one (4 + 2p slots, 2,561) fills up at 80 messages of 14
// frames, 256 of 3, 2 of 638, and takes messages of 1,279 frames or more whole.
const fillPoints: Array<[number, number]> = [
  [298, 5],
  [7, 127],
  [895, 3],
  [14, 81],
  [3, 257],
  [638, 3],
  [1_278, 3],
  [1_279, 3],
];

describe.each(["inproc", "tcp"] as const)(
  "where the batch metadata runs out, over %s",
  (transport) => {
    it.each(fillPoints)("a backlog of messages of %i frames × %i", async (frames, messages) => {
      await runPlan(
        explicit({
          transport,
          shapes: [{ frames, sizes: [0, 3] }],
          backlog: messages,
          sends: [{ style: "send", count: 1 }],
          receives: [{ style: "receive", count: 1 }],
        }),
      );
    });
  },
);

// --- the reproduction -------------------------------------------------------------------

describe("issue 14: a backlog of multipart messages before the first receive", () => {
  it.each([7, 64, 1_000])(
    "300 messages of %i frames of 10 B, queued on PUSH/PULL over tcp, come out of for await intact",
    async (frames) => {
      const pull = new Pull({ linger: 0 });
      const push = new Push({ linger: 0 });
      try {
        push.connect(await bindFresh(pull, "tcp"));
        const content = new MessageContent(frames);
        const message = (m: number) =>
          Array.from({ length: frames }, (_, f) => content.frame(m, f, 10));
        for (let m = 0; m < 300; m++) await push.send(message(m));
        // Queued at the receiver before the first receive (300 × frames × 10 B is quick).
        await within(
          (async () => {
            while (!pull.readable) await sleep(1);
          })(),
          10_000,
          "the backlog",
        );
        await sleep(50);

        let m = 0;
        const wrong: string[] = [];
        await within(
          (async () => {
            for await (const received of pull) {
              if (received.length !== frames) wrong.push(`message ${m}: ${received.length} frames`);
              for (let f = 0; f < Math.min(frames, received.length); f++) {
                const why = content.mismatch(received[f], m, f, 10);
                if (why !== null) wrong.push(`message ${m} frame ${f}: ${why}`);
              }
              if (++m === 300) break;
            }
          })(),
          20_000,
          "300 messages",
        );
        expect(wrong.slice(0, 5)).toEqual([]);
        expect(m).toBe(300);
      } finally {
        push.close();
        pull.close();
      }
    },
    30_000,
  );
});
