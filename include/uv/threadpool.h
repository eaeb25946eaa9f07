/* rsuv: the thread-pool part of libuv's header set (hand-written; uv/unix.h includes it).
 *
 * libuv's own uv/threadpool.h declares `struct uv__work`, the private work item embedded
 * in pool requests. rsuv generates that struct into uv.h with the rest, so this header
 * exists so that programs including it compile. */
#ifndef UV_THREADPOOL_H_
#define UV_THREADPOOL_H_

#endif /* UV_THREADPOOL_H_ */
