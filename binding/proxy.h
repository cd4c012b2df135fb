// zmq_proxy_steerable on a thread of its own. libzmq's proxy is a blocking loop; it runs off
// the event loop thread, and while it runs the sockets it uses are lent to it (operations on
// them from JavaScript fail with EBUSY instead of racing with the proxy thread).
#pragma once

#include <napi.h>

namespace zmq_napi {

class Module;

// runProxy(frontEnd, backEnd, controlInner, controlOuter, capture | null) → Promise<void>.
// `controlInner` is the PAIR the proxy reads commands from; `controlOuter` its peer, through
// which JavaScript (and environment teardown) send PAUSE/RESUME/TERMINATE/STATISTICS.
Napi::Value RunProxy(const Napi::CallbackInfo& info);

}  // namespace zmq_napi
