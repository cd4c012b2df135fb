// The layout of a receive batch: how the shared Int32Array describes the messages one
// receiveBatch() call took. Defined here once and exported to TypeScript (ReceiveLayoutObject),
// which decodes it in src/receive-batch.ts.
//
//   meta[kCountSlot]          number of messages n
//   then per message:         a header of kHeaderSlots, then kFrameSlots per frame:
//     header[kPartsField]       frame count p, or kWholeInExtra: the message is the next
//                               element of `extra` as an array of Buffers, and no frame slots
//                               follow (a message with more frames than the array has room for)
//     header[kRoutingIdField]   routing id (SERVER, PEER), as the bits of a uint32; else 0
//     header[kGroupOffsetField] offset of the group's bytes in the slab (DISH), or kInExtra
//     header[kGroupLengthField] the group's length, or kNoGroup
//     frame: offset, length     the frame's bytes in the slab, or offset kInExtra: the frame
//                               is the next element of `extra` (a Buffer of its own)
//
// Native code checks every write against the array's real length; a message that does not fit
// what is left of it ends the batch (it is never split or truncated).
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace zmq_napi {
namespace receive_layout {

constexpr size_t kCountSlot = 0;
constexpr size_t kFirstMessageSlot = 1;

constexpr size_t kPartsField = 0;
constexpr size_t kRoutingIdField = 1;
constexpr size_t kGroupOffsetField = 2;
constexpr size_t kGroupLengthField = 3;
constexpr size_t kHeaderSlots = 4;

constexpr size_t kFrameOffsetField = 0;
constexpr size_t kFrameLengthField = 1;
constexpr size_t kFrameSlots = 2;

constexpr int32_t kInExtra = -1;
constexpr int32_t kWholeInExtra = -1;
constexpr int32_t kNoGroup = -1;

// Messages taken per call at most (the TypeScript layer asks for this many).
constexpr uint32_t kMaxMessages = 256;
// The array TypeScript allocates: room for kMaxMessages messages of three frames.
constexpr size_t kMetaLength = kFirstMessageSlot + kMaxMessages * (kHeaderSlots + 3 * kFrameSlots);
// Shorter arrays are refused: one message header must always fit.
constexpr size_t kMinMetaLength = kFirstMessageSlot + kHeaderSlots;

}  // namespace receive_layout

// { countSlot, firstMessageSlot, partsField, …, metaLength }: the constants above.
Napi::Object ReceiveLayoutObject(Napi::Env env);

}  // namespace zmq_napi
