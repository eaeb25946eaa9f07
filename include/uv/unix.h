/* rsuv: the Unix part of libuv's header set (hand-written; uv.h includes it).
 *
 * libuv's own uv/unix.h holds the private fields of every struct. rsuv's structs are
 * generated whole into uv.h from the Rust declarations, so this header keeps only what
 * programs use by name: the directory entry types, UV_ONCE_INIT, and the includes of the
 * rest of the set. */
#ifndef UV_UNIX_H
#define UV_UNIX_H

#include <sys/types.h>
#include <sys/socket.h>
#include <dirent.h>
#include <pthread.h>

#include "uv/threadpool.h"
#include "uv/linux.h"

/* Directory entry types, as on Linux (programs and libuv's tests test HAVE_DIRENT_TYPES to
 * know that uv_dirent_t.type is meaningful). */
#define HAVE_DIRENT_TYPES
#define UV__DT_FILE DT_REG
#define UV__DT_DIR DT_DIR
#define UV__DT_LINK DT_LNK
#define UV__DT_FIFO DT_FIFO
#define UV__DT_SOCKET DT_SOCK
#define UV__DT_CHAR DT_CHR
#define UV__DT_BLOCK DT_BLK
typedef struct dirent uv__dirent_t;
typedef struct uv__io_s uv__io_t;

#define UV_ONCE_INIT PTHREAD_ONCE_INIT

#endif /* UV_UNIX_H */
