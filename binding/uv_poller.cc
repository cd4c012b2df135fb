#include "uv_poller.h"

#include <cerrno>
#include <cstdlib>

namespace zmq_napi {

UvPoller* UvPoller::Create(uv_loop_t* loop, zmq_fd_t fd, Listener* listener) {
  auto* poller = new UvPoller();
  poller->listener_ = listener;
  poller->handle_ = static_cast<uv_poll_t*>(std::calloc(1, uv_handle_size(ZMQ_NAPI_UV_POLL)));
  int status = uv_poll_init_socket(loop, poller->handle_, fd);
  if (status != 0) {
    delete poller;
    errno = -status;
    return nullptr;
  }
  HandleData(poller->handle_) = poller;
  return poller;
}

UvPoller::~UvPoller() { std::free(handle_); }

// Once started the handle stays started, and Stop() only unreferences it: toggling
// uv_poll_start/uv_poll_stop per wait would cost two epoll_ctl calls per message, while
// uv_ref/uv_unref are flag changes. An unreferenced handle lets the process exit, and an
// idle socket's ZMQ_FD never fires, so this costs nothing at rest; a wake-up with nothing
// pending still reads ZMQ_EVENTS (resetting the descriptor), so it cannot spin.
void UvPoller::Start() {
  if (!started_) {
    // Readable only: ZMQ_FD signals both directions by becoming readable.
    if (uv_poll_start(handle_, ZMQ_NAPI_UV_READABLE, &UvPoller::OnPoll) != 0) return;
    started_ = true;
  }
  uv_ref(reinterpret_cast<uv_handle_t*>(handle_));
}

void UvPoller::Stop() {
  if (started_) uv_unref(reinterpret_cast<uv_handle_t*>(handle_));
}

void UvPoller::Suspend() {
  if (!started_) return;
  uv_poll_stop(handle_);
  started_ = false;
}

void UvPoller::Close(void (*closed)(void*), void* arg) {
  listener_ = nullptr;
  closed_ = closed;
  closed_arg_ = arg;
  if (started_) uv_poll_stop(handle_);
  uv_close(reinterpret_cast<uv_handle_t*>(handle_), [](uv_handle_t* handle) {
    auto* poller = static_cast<UvPoller*>(HandleData(handle));
    if (poller->closed_ != nullptr) poller->closed_(poller->closed_arg_);
    delete poller;
  });
}

void UvPoller::OnPoll(uv_poll_t* handle, int status, int events) {
  auto* poller = static_cast<UvPoller*>(HandleData(handle));
  // An error on the descriptor is reported as readiness too: ZMQ_EVENTS will tell the truth.
  if (poller->listener_ != nullptr) poller->listener_->OnPollReady();
}

}  // namespace zmq_napi
