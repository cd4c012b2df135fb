// Bridges a libzmq socket's ZMQ_FD into the libuv event loop.
//
// ZMQ_FD is not a data socket: it becomes readable when libzmq has something for the
// application thread (commands in the socket's mailbox), and it is edge-triggered. A wake-up
// therefore says only "look at ZMQ_EVENTS now", and every send or receive may consume the edge
// that would have announced the next state change. The owner re-checks ZMQ_EVENTS after each
// operation; the poller only turns edges into calls.
#pragma once

#include "util/libuv.h"

namespace zmq_napi {

class Poller {
 public:
  class Listener {
   public:
    virtual void OnPollReady() = 0;

   protected:
    ~Listener() = default;
  };

  // Returns nullptr (and sets errno) when the loop refuses the descriptor.
  static Poller* Create(uv_loop_t* loop, int fd, Listener* listener);

  // Watching keeps the event loop alive; an idle socket is not watched and costs nothing.
  void Start();
  void Stop();
  bool active() const { return active_; }

  // Stops and frees the poller once libuv has released the handle, then calls `closed(arg)`
  // (if given). The listener is never called again after Close().
  void Close(void (*closed)(void*) = nullptr, void* arg = nullptr);

 private:
  Poller() = default;
  ~Poller();
  static void OnPoll(uv_poll_t* handle, int status, int events);

  uv_poll_t* handle_ = nullptr;
  Listener* listener_ = nullptr;
  bool active_ = false;
  void (*closed_)(void*) = nullptr;
  void* closed_arg_ = nullptr;
};

}  // namespace zmq_napi
