// Bridges a libzmq socket's ZMQ_FD into the JavaScript event loop.
//
// ZMQ_FD is not a data socket: it becomes readable when libzmq has something for the
// application thread (commands in the socket's mailbox), and it is edge-triggered. A wake-up
// therefore says only "look at ZMQ_EVENTS now", and every send or receive may consume the edge
// that would have announced the next state change. The owner re-checks ZMQ_EVENTS after each
// operation; a poller only turns edges into calls on the JavaScript thread.
//
// Two implementations: UvPoller (a uv_poll_t, for Node; Deno emulates uv_poll imperfectly) and
// ThreadPoller (one background thread per environment and a thread-safe function, Node-API
// only: for Bun, which lacks uv_poll, and Deno).
#pragma once

namespace zmq_napi {

class Poller {
 public:
  class Listener {
   public:
    virtual void OnPollReady() = 0;

   protected:
    ~Listener() = default;
  };

  virtual ~Poller() = default;

  // Watching keeps the event loop alive; an idle socket is not watched and costs nothing.
  virtual void Start() = 0;
  virtual void Stop() = 0;
  // Stops watching the descriptor entirely while another thread owns the socket (its ZMQ_FD
  // is then reset by that thread, and watching it here could only spin). Start() resumes.
  virtual void Suspend() = 0;

  // Stops watching and frees the poller once nothing refers to it any more, then calls
  // `closed(arg)` (if given). The listener is never called again after Close().
  virtual void Close(void (*closed)(void*), void* arg) = 0;
};

}  // namespace zmq_napi
