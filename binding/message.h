// Conversions between JavaScript values and zmq_msg_t.
//
// Outgoing messages are copied into memory libzmq owns: sending a JavaScript buffer in place
// would let libzmq's I/O thread read bytes that the program may still change, transfer or free
// (worker exit), and "impossible to crash from JavaScript" wins over one memcpy. The exception
// is a ZeroCopyFrame, whose bytes the library owns from the start (zero_copy_frame.h).
// Incoming messages above kZeroCopyReceiveBytes are handed to JavaScript without copying: the
// Buffer owns the zmq_msg_t and closes it when collected (unless libzmq shares the message's
// buffer with other receivers: then it is copied).
#pragma once

#include <node_api.h>
#include <zmq.h>

#include <cstddef>
#include <memory>

namespace zmq_napi {

constexpr size_t kZeroCopyReceiveBytes = 8192;

class ZeroCopyHandover;

// Initialises `msg` from a Buffer, TypedArray, DataView, ArrayBuffer, string (UTF-8), number
// (its decimal string), null (an empty frame) or a ZeroCopyFrame's handle (its bytes, no copy;
// `handover` follows it through the send). Returns false with a pending TypeError for anything
// else; `msg` is then left uninitialised.
bool InitMessage(napi_env env, napi_value value, zmq_msg_t* msg, ZeroCopyHandover* handover);

// Receives the next frame without waiting, retrying when a signal interrupts the call. Returns
// zmq_msg_recv's result (-1 with zmq_errno() set, EAGAIN when nothing is ready).
int ReceiveFrame(void* socket, zmq_msg_t* msg);

// The frames of one multipart message, held before any is handed on: sending converts every
// part before the first leaves, receiving takes a whole message before deciding where it goes.
// No limit but memory on the number of parts (libzmq has none); storage grows as parts are
// added, so a sparse or absurdly long array fails at its first bad element, not in an
// allocation sized by its length. Closes every part not marked consumed.
class MessageParts {
 public:
  MessageParts() = default;
  MessageParts(const MessageParts&) = delete;
  MessageParts& operator=(const MessageParts&) = delete;
  ~MessageParts() { Reset(); }

  // A new, initialised part at the end; nullptr when out of memory.
  zmq_msg_t* Append();
  // Gives up the last part appended (already closed by the caller).
  void DropLast() { count_--; }
  size_t count() const { return count_; }
  size_t consumed() const { return consumed_; }
  zmq_msg_t* at(size_t index) { return &parts()[index]; }
  size_t Bytes() const;
  // Parts before `index` belong to someone else now (sent, closed or moved).
  void Consumed(size_t index) { consumed_ = index; }
  // Closes the parts not consumed and empties the list.
  void Reset();

 private:
  static constexpr size_t kInlineParts = 8;
  zmq_msg_t* parts() { return heap_ ? heap_.get() : inline_; }
  const zmq_msg_t* parts() const { return heap_ ? heap_.get() : inline_; }

  zmq_msg_t inline_[kInlineParts];
  std::unique_ptr<zmq_msg_t[]> heap_;
  size_t capacity_ = kInlineParts;
  size_t count_ = 0;
  size_t consumed_ = 0;
};

// Receives a whole message into `parts` (reset first) without waiting. Returns 1, 0 (nothing
// ready) or -1 with zmq_errno() set.
int ReceiveMessage(void* socket, MessageParts* parts);

// Returns a Buffer with the contents of `msg` and takes ownership of it (`msg` is closed or
// moved). Returns nullptr with a pending exception on failure.
napi_value TakeMessageBuffer(napi_env env, zmq_msg_t* msg);

}  // namespace zmq_napi
