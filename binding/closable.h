// What an environment must close when it goes away: its proxies, sockets and contexts. Each
// registers with its Module while it is open; Module's teardown closes them in one order.
#pragma once

#include <string>
#include <vector>

namespace zmq_napi {

// What teardown collects while it closes: the contexts' handles to terminate, and the first
// socket that may still have messages to deliver (for the exit-timeout message).
struct TeardownWork {
  std::vector<void*> to_terminate;
  std::string waiting_for;
};

class Closable {
 public:
  // Teardown closes kinds in this order: proxies first (they hold sockets lent to their
  // thread), then sockets (so that their contexts can terminate), then contexts, whose
  // termination lets lingering messages leave.
  enum class Kind { kProxy, kSocket, kContext };
  static constexpr int kKinds = 3;

  explicit Closable(Kind kind) : kind_(kind) {}
  Closable(const Closable&) = delete;
  Closable& operator=(const Closable&) = delete;
  virtual ~Closable() = default;

  Kind closable_kind() const { return kind_; }

  // Environment teardown: close now, calling no JavaScript. Unregistering is the Module's.
  virtual void CloseAtTeardown(TeardownWork* work) = 0;
  // The Module is being destroyed: never reach back into it.
  virtual void DetachModule() = 0;

 protected:
  Closable(Closable&&) = default;
  Closable& operator=(Closable&&) = default;

 private:
  Kind kind_;
};

}  // namespace zmq_napi
