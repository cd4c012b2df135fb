// Zero-copy outgoing frames (ZeroCopyFrame, src/zero-copy.ts): bytes this library allocates
// and owns, which JavaScript writes through a Buffer until the frame is sent, and which libzmq
// then reads in place.
//
// Why it is safe: the send detaches that Buffer's ArrayBuffer (so no JavaScript view can read
// or write the bytes again) in the native call that hands them to libzmq, after the last point
// where JavaScript can run in it (an array element's getter) and before the first part leaves.
// A frame whose ArrayBuffer was detached or transferred by anyone else is refused: its bytes
// may be reachable through another ArrayBuffer. Node marks external ArrayBuffers
// untransferable, so postMessage cannot move them to another thread in the first place.
//
// Lifetimes: a block's bytes live while an ArrayBuffer or libzmq holds them; the block itself
// while its JavaScript handle, its bytes or a pending release notification does. libzmq frees
// a message on whichever thread drops the last reference (an I/O thread for tcp/ipc, the
// receiving thread for inproc, zmq_ctx_term's), so the release reaches JavaScript through one
// thread-safe function per environment (ZeroCopyNotifier); nothing there touches JavaScript,
// and what it touches outlives the environment.
#pragma once

#include <napi.h>
#include <zmq.h>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <vector>

namespace zmq_napi {

class MessageParts;
class ZeroCopyNotifier;
struct ZeroCopyBlock;

// createZeroCopyFrame(byteLength, zeroFill): [handle, buffer]. Throws where the runtime has no
// detachable external ArrayBuffers (ERR_FEATURE_UNAVAILABLE_ON_PLATFORM).
Napi::Value CreateZeroCopyFrame(const Napi::CallbackInfo& info);
// zeroCopyFrameBuffer(handle): the Buffer to write through; a new one over the same bytes after
// a send attempt that did not happen. TypeError once the frame was sent.
Napi::Value ZeroCopyFrameBuffer(const Napi::CallbackInfo& info);
// zeroCopyFrameSent(handle): whether libzmq has taken the frame.
Napi::Value ZeroCopyFrameSent(const Napi::CallbackInfo& info);
// zeroCopyFrameReleased(handle): a promise that resolves when the bytes are freed (libzmq is
// done with them, or the unsent frame was collected). Call once per frame: src/zero-copy.ts
// keeps the promise.
Napi::Value ZeroCopyFrameReleased(const Napi::CallbackInfo& info);

// Whether `value` is a ZeroCopyFrame's handle (the first element createZeroCopyFrame returns).
bool IsZeroCopyFrame(napi_env env, napi_value value);

// The zero-copy frames of one outgoing message, from conversion to the end of its send
// (Socket::SendOne). Declared after the message's MessageParts, so that it settles before
// they close what was not sent: an unsent part's close must not count as a release.
class ZeroCopyHandover {
 public:
  ZeroCopyHandover(napi_env env, const MessageParts* parts) : env_(env), parts_(parts) {}
  ZeroCopyHandover(const ZeroCopyHandover&) = delete;
  ZeroCopyHandover& operator=(const ZeroCopyHandover&) = delete;
  // Frames in parts libzmq took are sent; the others are sendable again, their bytes intact.
  ~ZeroCopyHandover();

  // InitMessage for a frame's handle (the part just appended to `parts`): initialises `msg` on
  // the frame's bytes. Returns false with a pending TypeError for a frame sent already, twice
  // in one message or cut off from its bytes; false with none when out of memory.
  bool Claim(napi_value handle, zmq_msg_t* msg);
  // Cuts JavaScript off the claimed frames' bytes. Called once no JavaScript can run before
  // the send; throws, with nothing detached, when a frame's buffer was detached or transferred.
  void Detach(Napi::Env env);

 private:
  struct Claimed {
    ZeroCopyBlock* block;
    size_t part;
  };
  napi_env env_;
  const MessageParts* parts_;
  std::vector<Claimed> claimed_;
};

// One per environment (Module, made with the first frame): carries the releases a promise
// waits for from any thread to the JavaScript thread, and keeps the event loop alive while
// one is awaited. Releases nobody watches are only recorded in their block.
class ZeroCopyNotifier {
 public:
  // nullptr with a pending exception when the runtime lacks what zero-copy frames need.
  static ZeroCopyNotifier* Create(napi_env env);
  ZeroCopyNotifier(const ZeroCopyNotifier&) = delete;
  ZeroCopyNotifier& operator=(const ZeroCopyNotifier&) = delete;

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref();
  // Any thread: `block` was released; takes over one of its references.
  void Post(ZeroCopyBlock* block);
  // JavaScript thread: one more (+1) or one fewer (-1) sent frame whose release is awaited.
  void Awaiting(napi_env env, int delta);
  // Environment teardown (Module): nothing is delivered from now on.
  void Shutdown();

 private:
  ZeroCopyNotifier() = default;
  ~ZeroCopyNotifier() = default;
  static void Deliver(napi_env env, napi_value, void* context, void*);
  static void Finalized(napi_env, void* data, void*);
  // Takes the queue (under the lock): what is delivered or dropped next.
  ZeroCopyBlock* TakeQueue();

  // The environment's and the thread-safe function's, then one per live block.
  std::atomic<int> refs_{2};
  std::mutex mutex_;
  // Guarded by mutex_; nullptr once finalized or shut down (written on the JavaScript thread).
  napi_threadsafe_function tsfn_ = nullptr;
  ZeroCopyBlock* head_ = nullptr;  // Released blocks, oldest first (guarded by mutex_).
  ZeroCopyBlock* tail_ = nullptr;
  bool call_pending_ = false;  // Guarded by mutex_.
  int awaiting_ = 0;           // JavaScript thread only.
};

}  // namespace zmq_napi
