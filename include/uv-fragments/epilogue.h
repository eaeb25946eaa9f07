
/* Function-like and non-integer macros and X-macro maps: cbindgen cannot express these.
 * Written from libuv 1.53.0's public API. */
#ifndef UV_EPILOGUE_H
#define UV_EPILOGUE_H

/* Every handle type: XX(UV_<name> suffix, lower-case type name), in enum order. */
#define UV_HANDLE_TYPE_MAP(XX) \
  XX(ASYNC, async) \
  XX(CHECK, check) \
  XX(FS_EVENT, fs_event) \
  XX(FS_POLL, fs_poll) \
  XX(HANDLE, handle) \
  XX(IDLE, idle) \
  XX(NAMED_PIPE, pipe) \
  XX(POLL, poll) \
  XX(PREPARE, prepare) \
  XX(PROCESS, process) \
  XX(STREAM, stream) \
  XX(TCP, tcp) \
  XX(TIMER, timer) \
  XX(TTY, tty) \
  XX(UDP, udp) \
  XX(SIGNAL, signal) \

/* Every request type: XX(UV_<name> suffix, lower-case type name), in enum order. */
#define UV_REQ_TYPE_MAP(XX) \
  XX(REQ, req) \
  XX(CONNECT, connect) \
  XX(WRITE, write) \
  XX(SHUTDOWN, shutdown) \
  XX(UDP_SEND, udp_send) \
  XX(FS, fs) \
  XX(WORK, work) \
  XX(GETADDRINFO, getaddrinfo) \
  XX(GETNAMEINFO, getnameinfo) \
  XX(RANDOM, random) \

/* libuv defines the loop option to itself as well, so that programs can test for it. */
#define UV_LOOP_USE_IO_URING_SQPOLL UV_LOOP_USE_IO_URING_SQPOLL

/* uv_fs_utime and friends: set a time to now, or leave it as it is (libuv 1.51+). */
#define UV_FS_UTIME_NOW  (INFINITY)
#define UV_FS_UTIME_OMIT (NAN)

/* Variadic, which a Rust definition cannot express (see src/ffi/core.rs). */
UV_EXTERN int uv_loop_configure(uv_loop_t* loop, uv_loop_option option, ...);

#endif /* UV_EPILOGUE_H */
