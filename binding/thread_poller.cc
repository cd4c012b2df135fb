#include "thread_poller.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace zmq_napi {

ThreadPollerHub::ThreadPollerHub(Napi::Env env) : env_(env) {
  if (pipe(wake_) != 0) throw Napi::Error::New(env, "zmq-napi: cannot create the poller's pipe");
  for (int fd : wake_) fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  deliver_ = Napi::ThreadSafeFunction::New(
      env, Napi::Function::New(env, [](const Napi::CallbackInfo&) {}), "zmq-napi:poller", 0, 1);
  // Unreferenced until a socket waits for something: idle sockets let the process exit.
  deliver_.Unref(env);
  thread_ = std::thread([this] { Run(); });
}

ThreadPollerHub::~ThreadPollerHub() { Shutdown(); }

void ThreadPollerHub::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  Wake();
  if (thread_.joinable()) thread_.join();
  deliver_.Release();
  close(wake_[0]);
  close(wake_[1]);
}

ThreadPoller* ThreadPollerHub::Create(int fd, Poller::Listener* listener) {
  uint64_t id = next_id_++;
  auto* poller = new ThreadPoller(this, id, fd, listener);
  pollers_[id] = poller;
  return poller;
}

void ThreadPollerHub::Arm(uint64_t id, int fd) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    armed_[id] = fd;
  }
  Wake();
}

void ThreadPollerHub::Disarm(uint64_t id) {
  bool changed;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    changed = armed_.erase(id) > 0;
  }
  if (changed) Wake();
}

void ThreadPollerHub::Activate() {
  if (active_++ == 0 && !shut_down_) deliver_.Ref(env_);
}

void ThreadPollerHub::Deactivate() {
  if (--active_ == 0 && !shut_down_) deliver_.Unref(env_);
}

void ThreadPollerHub::Wake() {
  char byte = 1;
  // A full pipe already guarantees a wake-up.
  [[maybe_unused]] ssize_t written = write(wake_[1], &byte, 1);
}

void ThreadPollerHub::Run() {
  std::vector<pollfd> fds;
  std::vector<uint64_t> ids;
  for (;;) {
    fds.assign(1, pollfd{wake_[0], POLLIN, 0});
    ids.assign(1, 0);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) return;
      for (const auto& [id, fd] : armed_) {
        fds.push_back(pollfd{fd, POLLIN, 0});
        ids.push_back(id);
      }
    }
    if (poll(fds.data(), fds.size(), -1) < 0) continue;  // EINTR: wait again.
    if (fds[0].revents != 0) {
      char buffer[64];
      while (read(wake_[0], buffer, sizeof(buffer)) > 0) {
      }
    }
    auto* ready = new std::vector<uint64_t>();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) {
        delete ready;
        return;
      }
      for (size_t i = 1; i < fds.size(); i++) {
        // One-shot: disarm what fired; the JavaScript thread re-arms it.
        if (fds[i].revents != 0 && armed_.erase(ids[i]) > 0) ready->push_back(ids[i]);
      }
    }
    if (ready->empty() || deliver_.NonBlockingCall(ready, [this](Napi::Env env, Napi::Function,
                                                                 std::vector<uint64_t>* ids) {
          // No environment: the call is being dropped at teardown. The hub itself is never
          // freed while calls may be queued (see Module).
          if (static_cast<napi_env>(env) != nullptr && !shut_down_) Deliver(*ids);
          delete ids;
        }) != napi_ok) {
      delete ready;
    }
  }
}

void ThreadPollerHub::Deliver(const std::vector<uint64_t>& ids) {
  for (uint64_t id : ids) {
    auto found = pollers_.find(id);
    if (found == pollers_.end()) continue;  // Closed since the thread saw it.
    ThreadPoller* poller = found->second;
    if (!poller->active_) continue;
    poller->listener_->OnPollReady();
    // The listener may have stopped or closed the poller meanwhile.
    found = pollers_.find(id);
    if (found != pollers_.end() && found->second->active_) Arm(id, found->second->fd_);
  }
}

void ThreadPoller::Start() {
  if (!active_) {
    active_ = true;
    hub_->Activate();
  }
  hub_->Arm(id_, fd_);
}

void ThreadPoller::Suspend() { hub_->Disarm(id_); }

void ThreadPoller::Stop() {
  if (!active_) return;
  active_ = false;
  hub_->Disarm(id_);
  hub_->Deactivate();
}

void ThreadPoller::Close(void (*closed)(void*), void* arg) {
  Stop();
  hub_->Forget(id_);
  if (closed != nullptr) closed(arg);
  delete this;
}

}  // namespace zmq_napi
