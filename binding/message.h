// Conversions between JavaScript values and zmq_msg_t.
//
// Outgoing messages are always copied into memory libzmq owns: a zero-copy send would let
// libzmq's I/O thread read a JavaScript buffer that the program may still change, transfer or
// free (worker exit), and "impossible to crash from JavaScript" wins over one memcpy.
// Incoming messages above kZeroCopyReceiveBytes are handed to JavaScript without copying: the
// Buffer owns the zmq_msg_t and closes it when collected.
#pragma once

#include <node_api.h>
#include <zmq.h>

#include <cstddef>

namespace zmq_napi {

constexpr size_t kZeroCopyReceiveBytes = 8192;

// Initialises `msg` from a Buffer, TypedArray, DataView, ArrayBuffer, string (UTF-8), number
// (its decimal string) or null (an empty frame). Returns false with a pending TypeError for
// anything else; `msg` is then left uninitialised.
bool InitMessage(napi_env env, napi_value value, zmq_msg_t* msg);

// Receives the next frame without waiting, retrying when a signal interrupts the call. Returns
// zmq_msg_recv's result (-1 with zmq_errno() set, EAGAIN when nothing is ready).
int ReceiveFrame(void* socket, zmq_msg_t* msg);

// Returns a Buffer with the contents of `msg` and takes ownership of it (`msg` is closed or
// moved). Returns nullptr with a pending exception on failure.
napi_value TakeMessageBuffer(napi_env env, zmq_msg_t* msg);

}  // namespace zmq_napi
