// The libuv bridge: a uv_poll_t on ZMQ_FD (see poller.h).
#pragma once

#include <zmq.h>

#include "poller.h"
#include "util/libuv.h"

namespace zmq_napi {

class UvPoller final : public Poller {
 public:
  // Returns nullptr (and sets errno) when the loop refuses the descriptor.
  static UvPoller* Create(uv_loop_t* loop, zmq_fd_t fd, Listener* listener);

  void Start() override;
  void Stop() override;
  void Suspend() override;
  void Close(void (*closed)(void*), void* arg) override;

 private:
  UvPoller() = default;
  ~UvPoller() override;
  static void OnPoll(uv_poll_t* handle, int status, int events);

  uv_poll_t* handle_ = nullptr;
  Listener* listener_ = nullptr;
  bool started_ = false;
  void (*closed_)(void*) = nullptr;
  void* closed_arg_ = nullptr;
};

}  // namespace zmq_napi
