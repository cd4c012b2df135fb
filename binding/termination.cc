#include "termination.h"

#include <unistd.h>
#include <zmq.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>

namespace zmq_napi {

namespace {

std::atomic<int> exit_timeout_ms{kDefaultExitTimeoutMs};
std::atomic<bool> process_exiting{false};
std::atomic<int> process_exit_code{0};
std::atomic<bool> warned{false};

void Terminate(void* handle) {
  while (zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR) {
  }
}

// Shared by the waiting thread and the terminating one, which may outlive the wait.
struct Termination {
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
};

bool AnyBlocky(const std::vector<void*>& handles) {
  for (void* handle : handles) {
    if (zmq_ctx_get(handle, ZMQ_BLOCKY) > 0) return true;
  }
  return false;
}

void Warn(bool blocky, const std::string& waiting_for, int timeout) {
  if (warned.exchange(true)) return;
  int pid = static_cast<int>(getpid());
  // The first line is the `zeromq` package's, word for word: programs and tests look for it.
  std::fprintf(stderr, "(node:%d) WARNING: Waiting for queued ZeroMQ messages to be delivered.%s\n",
               pid, blocky ? " Set 'context.blocky = false' to change this behaviour." : "");
  std::string limit = timeout < 0 ? std::string("until they are delivered")
                                  : "at most " + std::to_string(timeout) + " ms in all";
  std::fprintf(stderr,
               "(node:%d) WARNING: zmq-napi waits %s%s%s. Set a socket's linger, or the exit "
               "timeout (setExitTimeout(ms) or ZMQ_NAPI_EXIT_TIMEOUT=ms; -1 waits until "
               "delivered), to change this.\n",
               pid, limit.c_str(), waiting_for.empty() ? "" : ", e.g. for ", waiting_for.c_str());
  std::fflush(stderr);
}

}  // namespace

void SetExitTimeout(int milliseconds) { exit_timeout_ms.store(milliseconds); }
int ExitTimeout() { return exit_timeout_ms.load(); }

void NoteProcessExit(int code) {
  process_exit_code.store(code);
  process_exiting.store(true);
}

void TerminateAtExit(const std::vector<void*>& handles, const std::string& waiting_for) {
  if (handles.empty()) return;
  bool blocky = AnyBlocky(handles);
  auto termination = std::make_shared<Termination>();
  std::thread([handles, termination] {
    for (void* handle : handles) Terminate(handle);
    std::lock_guard<std::mutex> lock(termination->mutex);
    termination->done = true;
    termination->finished.notify_all();
  }).detach();

  int timeout = ExitTimeout();
  auto start = std::chrono::steady_clock::now();
  std::unique_lock<std::mutex> lock(termination->mutex);
  auto done = [&] { return termination->done; };
  int grace = timeout >= 0 && timeout < kExitWarningMs ? timeout : kExitWarningMs;
  if (termination->finished.wait_for(lock, std::chrono::milliseconds(grace), done)) return;
  if (timeout != 0) Warn(blocky, waiting_for, timeout);
  if (timeout < 0) {
    termination->finished.wait(lock, done);
    return;
  }
  if (termination->finished.wait_until(lock, start + std::chrono::milliseconds(timeout), done)) {
    return;
  }
  // Out of time. A worker's environment goes away and leaves the termination running; a
  // process ends now, with its exit code, and takes libzmq's threads with it.
  if (process_exiting.load()) {
    std::fflush(stdout);
    std::fflush(stderr);
    _exit(process_exit_code.load());
  }
}

void TerminateInBackground(void* handle) {
  std::thread([handle] { Terminate(handle); }).detach();
}

}  // namespace zmq_napi
