/* rsuv: the Linux part of libuv's header set (hand-written; uv/unix.h includes it).
 *
 * libuv's own uv/linux.h holds only private loop and fs_event fields, which rsuv declares
 * within the structs of uv.h. This header exists so that programs including it compile. */
#ifndef UV_LINUX_H
#define UV_LINUX_H

#endif /* UV_LINUX_H */
