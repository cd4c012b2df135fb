"""One benchmark process for the pyzmq peers: blocking loops, as in pyzmq's perf/.

    pyzmq_worker.py [--zero-copy] <role> <endpoint> <size> <count>
    pyzmq_worker.py [--zero-copy] version

Default: pyzmq's default, copy=True (recv() returns bytes). --zero-copy: copy=False on every
send and recv, as pyzmq's perf/ does with --no-copy: recv() returns zmq.Frame objects that
wrap libzmq's buffers; sends below the socket's copy_threshold (zmq.COPY_THRESHOLD, 64 KiB by
default) are still copied by pyzmq itself, larger ones are handed over without a copy.

Roles and the protocol with the harness are those of node-worker.mjs: JSON lines on stdout
("ready", "subscribed", "result"), stdin as the control channel ("go", end of input).
"""
import json
import os
import select
import sys
import threading
import time

import zmq

now = time.perf_counter

# copy= for every send and recv; --zero-copy sets it to False.
COPY = True


def emit(**event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def stdin_has_input(timeout):
    return bool(select.select([0], [], [], timeout)[0])


def wait_for_end():
    """Blocks until the harness closes our stdin: the measurement is over."""
    while os.read(0, 4096):
        pass


def check(msg, size):
    if len(msg) != size:
        raise RuntimeError("received %d B, expected %d B" % (len(msg), size))


def receive_all(sock, size, count):
    """As libzmq's local_thr: the clock starts at the first message."""
    msg = sock.recv(copy=COPY)
    check(msg, size)
    start = now()
    for _ in range(count - 1):
        msg = sock.recv(copy=COPY)
    elapsed = now() - start
    check(msg, size)
    return dict(event="result", messages=count, seconds=elapsed)


def send_all(sock, size, count):
    msg = b" " * size
    for _ in range(count):
        sock.send(msg, copy=COPY)


def pull(ctx, endpoint, size, count):
    sock = ctx.socket(zmq.PULL)
    sock.bind(endpoint)
    emit(event="ready")
    emit(**receive_all(sock, size, count))
    sock.close()


def push(ctx, endpoint, size, count):
    sock = ctx.socket(zmq.PUSH)
    sock.connect(endpoint)
    send_all(sock, size, count)
    wait_for_end()
    sock.close()


def sub(ctx, endpoint, size, count):
    sock = ctx.socket(zmq.SUB)
    sock.setsockopt(zmq.RCVHWM, 0)
    sock.setsockopt(zmq.SUBSCRIBE, b"")
    sock.bind(endpoint)
    emit(event="ready")
    received = 0
    subscribed = False
    start = 0.0
    # Empty messages: probes before the data (the first proves the subscription arrived),
    # the end marker after it.
    while True:
        msg = sock.recv(copy=COPY)
        if not len(msg):
            if received:
                break
            if not subscribed:
                emit(event="subscribed")
                subscribed = True
            continue
        if not received:
            start = now()
            check(msg, size)
        received += 1
    elapsed = now() - start
    emit(event="result", messages=received, seconds=elapsed, drops=count - received)
    sock.close()


def pub(ctx, endpoint, size, count):
    sock = ctx.socket(zmq.PUB)
    sock.setsockopt(zmq.SNDHWM, 0)
    sock.connect(endpoint)
    # Probe until the harness says "go" (the subscriber has seen a probe) or closes stdin.
    text = b""
    while True:
        sock.send(b"")
        if stdin_has_input(0.005):
            chunk = os.read(0, 4096)
            text += chunk
            if not chunk or b"go\n" in text:
                break
    send_all(sock, size, count)
    # End markers until the subscriber has reported.
    while True:
        sock.send(b"")
        if stdin_has_input(0.01) and not os.read(0, 4096):
            break
    sock.close(linger=0)


def rep(ctx, endpoint, size, count):
    sock = ctx.socket(zmq.REP)
    sock.bind(endpoint)
    emit(event="ready")
    for _ in range(count):
        sock.send(sock.recv(copy=COPY), copy=COPY)
    wait_for_end()
    sock.close()


def req(ctx, endpoint, size, count):
    sock = ctx.socket(zmq.REQ)
    sock.connect(endpoint)
    msg = b" " * size
    start = now()  # as remote_lat: connecting is inside the clock
    for _ in range(count):
        sock.send(msg, copy=COPY)
        reply = sock.recv(copy=COPY)
    elapsed = now() - start
    check(reply, size)
    emit(event="result", roundtrips=count, seconds=elapsed)
    sock.close()


def inproc(ctx, endpoint, size, count):
    """One process, two threads (the GIL makes them take turns)."""
    sink = ctx.socket(zmq.PULL)
    sink.bind(endpoint)

    def sender():
        sock = ctx.socket(zmq.PUSH)
        sock.connect(endpoint)
        send_all(sock, size, count)
        sock.close()

    thread = threading.Thread(target=sender)
    thread.start()
    result = receive_all(sink, size, count)
    thread.join()
    emit(**result)
    sink.close()


def main():
    global COPY
    args = sys.argv[1:]
    if args and args[0] == "--zero-copy":
        COPY = False
        args = args[1:]
    role = args[0]
    if role == "version":
        emit(
            event="version",
            library="pyzmq %s%s" % (zmq.pyzmq_version(), "" if COPY else " (copy=False)"),
            libzmq=zmq.zmq_version(),
            runtime="python %s" % sys.version.split()[0],
        )
        return
    endpoint, size, count = args[1], int(args[2]), int(args[3])
    roles = dict(pull=pull, push=push, sub=sub, pub=pub, rep=rep, req=req, inproc=inproc)
    ctx = zmq.Context()
    try:
        roles[role](ctx, endpoint, size, count)
    except Exception as error:  # reported as an error row, not a traceback to parse
        emit(event="error", message="%s: %s" % (type(error).__name__, error))
        sys.exit(1)
    ctx.term()


if __name__ == "__main__":
    main()
