// The few libuv functions the poller uses, declared against libuv 1.x's stable ABI.
//
// The addon builds against Node-API headers only (node-api-headers, offline, every runtime),
// which do not ship uv.h. The runtime exports these symbols (Node and Deno do; Bun lacks some,
// which is why the poller has an N-API-only fallback). Handles are opaque here: their size
// comes from uv_handle_size() at run time, and `data` is the first field of every handle.
#pragma once

#include <cstddef>
#include <cstdint>

extern "C" {

struct uv_loop_s;
struct uv_handle_s;
struct uv_poll_s;
typedef struct uv_loop_s uv_loop_t;
typedef struct uv_handle_s uv_handle_t;
typedef struct uv_poll_s uv_poll_t;

// uv_os_sock_t: a SOCKET (pointer-sized) on Windows, a descriptor elsewhere.
#ifdef _WIN32
typedef uintptr_t uv_os_sock_t;
#else
typedef int uv_os_sock_t;
#endif

typedef void (*uv_poll_cb)(uv_poll_t* handle, int status, int events);
typedef void (*uv_close_cb)(uv_handle_t* handle);

// uv_handle_type values and uv_poll_event flags from uv.h (fixed across libuv 1.x).
enum { ZMQ_NAPI_UV_POLL = 8 };
enum { ZMQ_NAPI_UV_READABLE = 1 };

size_t uv_handle_size(int type);
int uv_poll_init_socket(uv_loop_t* loop, uv_poll_t* handle, uv_os_sock_t socket);
int uv_poll_start(uv_poll_t* handle, int events, uv_poll_cb callback);
int uv_poll_stop(uv_poll_t* handle);
void uv_close(uv_handle_t* handle, uv_close_cb close_cb);
void uv_ref(uv_handle_t* handle);
void uv_unref(uv_handle_t* handle);
}

namespace zmq_napi {

// Every libuv handle begins with `void* data`.
inline void*& HandleData(void* handle) { return *static_cast<void**>(handle); }

}  // namespace zmq_napi
