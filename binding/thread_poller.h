// The Node-API-only bridge (see poller.h), for runtimes without uv_poll (Bun).
//
// One background thread per environment waits with poll(2) on every watched ZMQ_FD and on a
// wake-up pipe, and hands ready descriptors to the JavaScript thread through a thread-safe
// function. Each watch is one-shot: the thread stops waiting on a descriptor once it reported
// it, and the JavaScript thread re-arms it after the socket has looked at ZMQ_EVENTS (which
// resets the descriptor), so waiting on a level-triggered descriptor cannot spin.
#pragma once

#include <napi.h>

#include <cstdint>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "poller.h"

namespace zmq_napi {

class ThreadPoller;

class ThreadPollerHub {
 public:
  explicit ThreadPollerHub(Napi::Env env);
  ~ThreadPollerHub();

  ThreadPoller* Create(int fd, Poller::Listener* listener);

  // Stops the thread; pollers created afterwards never fire. Called at environment teardown.
  void Shutdown();

 private:
  friend class ThreadPoller;

  // JavaScript thread.
  void Arm(uint64_t id, int fd);
  void Disarm(uint64_t id);
  void Forget(uint64_t id) { pollers_.erase(id); }
  void Activate();
  void Deactivate();
  void Deliver(const std::vector<uint64_t>& ids);

  // Background thread.
  void Run();
  void Wake();

  Napi::Env env_;
  Napi::ThreadSafeFunction deliver_;
  std::thread thread_;
  int wake_[2] = {-1, -1};

  std::mutex mutex_;  // Guards armed_ and stopping_.
  std::unordered_map<uint64_t, int> armed_;
  bool stopping_ = false;

  std::unordered_map<uint64_t, ThreadPoller*> pollers_;  // JavaScript thread only.
  uint64_t next_id_ = 1;
  int active_ = 0;
  bool shut_down_ = false;
};

class ThreadPoller final : public Poller {
 public:
  void Start() override;
  void Stop() override;
  void Suspend() override;
  void Close(void (*closed)(void*), void* arg) override;

 private:
  friend class ThreadPollerHub;
  ThreadPoller(ThreadPollerHub* hub, uint64_t id, int fd, Listener* listener)
      : hub_(hub), id_(id), fd_(fd), listener_(listener) {}

  ThreadPollerHub* hub_;
  uint64_t id_;
  int fd_;
  Listener* listener_;
  bool active_ = false;
};

}  // namespace zmq_napi
