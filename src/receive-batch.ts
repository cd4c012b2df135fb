// Decoding a receive batch: the addon describes the messages one native call took in a shared
// Int32Array whose layout it defines (binding/receive_layout.h, exported as receiveLayout).
// Small frames are views of one slab per batch (as Node's pooled Buffers share a pool); larger
// frames, and messages with more frames than the array has room for, come in `extra`.
import { addon, type NativeSocket } from "./native";
import type { MessageMetadata } from "./socket-types";

/** Shapes a received message from its frames and the metadata its header carries. */
export type ShapeMessage = (
  frames: Buffer[],
  routingId: number,
  group: Buffer | undefined,
) => Buffer[];

/**
 * How the messages of a socket type are shaped: as their frames (null), or, for the types
 * whose messages carry metadata, as [frame, { routingId }] (SERVER, PEER) or [frame, { group }]
 * (DISH), the shape zeromq v6 gives them.
 */
export function shapeFor(metadata: MessageMetadata): ShapeMessage | null {
  return shapes[metadata];
}
const shapes: Record<MessageMetadata, ShapeMessage | null> = {
  none: null,
  routingId: (frames, routingId) => [frames[0], { routingId } as unknown as Buffer],
  group: (frames, _routingId, group) => [frames[0], { group } as unknown as Buffer],
};

const {
  countSlot,
  firstMessageSlot,
  partsField,
  routingIdField,
  groupOffsetField,
  groupLengthField,
  headerSlots,
  frameOffsetField,
  frameLengthField,
  frameSlots,
  inExtra,
  wholeInExtra,
  noGroup,
  maxMessages,
  metaLength,
} = addon.receiveLayout;

/** Messages taken from libzmq per native call. */
export const RECEIVE_BATCH = maxMessages;

// One per JavaScript environment: each batch is decoded right after the native call that
// wrote it, before any other JavaScript runs, so sockets can share it.
const meta = new Int32Array(metaLength);
const NO_EXTRA: ReadonlyArray<Buffer | Buffer[]> = [];

/**
 * Takes every message ready now (up to RECEIVE_BATCH) from `socket`: null when none was ready;
 * with `watch`, an empty result also starts the wait for ZMQ_POLLIN.
 */
export function receiveBatch(
  socket: NativeSocket,
  watch: boolean,
  shape: ShapeMessage | null,
): Buffer[][] | null {
  const result = socket.receiveBatch(meta, RECEIVE_BATCH, watch);
  if (result === null || result === undefined) return null;
  if (result instanceof ArrayBuffer) return decodeBatch(meta, result, NO_EXTRA, shape);
  return decodeBatch(meta, result[0], result[1], shape);
}

/** Turns a batch's description, slab and extra Buffers into messages (shaped by `shape`). */
export function decodeBatch(
  description: Int32Array,
  slab: ArrayBuffer,
  extra: ReadonlyArray<Buffer | Buffer[]>,
  shape: ShapeMessage | null,
): Buffer[][] {
  const count = description[countSlot];
  const messages: Buffer[][] = new Array(count);
  let at = firstMessageSlot;
  let next = 0;
  for (let i = 0; i < count; i++) {
    const parts = description[at + partsField];
    const groupLength = description[at + groupLengthField];
    let group: Buffer | undefined;
    if (groupLength !== noGroup) {
      const offset = description[at + groupOffsetField];
      group =
        offset === inExtra ? (extra[next++] as Buffer) : Buffer.from(slab, offset, groupLength);
    }
    const routingId = description[at + routingIdField] >>> 0;
    at += headerSlots;
    let frames: Buffer[];
    if (parts === wholeInExtra) {
      frames = extra[next++] as Buffer[];
    } else {
      frames = new Array(parts);
      for (let j = 0; j < parts; j++) {
        const offset = description[at + frameOffsetField];
        frames[j] =
          offset === inExtra
            ? (extra[next++] as Buffer)
            : Buffer.from(slab, offset, description[at + frameLengthField]);
        at += frameSlots;
      }
    }
    messages[i] = shape === null ? frames : shape(frames, routingId, group);
  }
  return messages;
}
