// The one list of libuv's errors. `src/abi/errno.rs` includes it as Rust; build.rs reads
// it as text to write include/uv/errno.h (the UV__E* codes and UV_ERRNO_MAP), so each
// line keeps the form `NAME => UV_NAME = VALUE, c"message";` where VALUE is `-libc::EXXX`
// (the negated errno) or a number of libuv's own.
// libuv 1.53's UV_ERRNO_MAP: order, names and messages exactly as in its uv.h. The errno
// based codes are negated Linux errno values; the others are libuv's fixed numbers.
error_table! {
    E2BIG => UV_E2BIG = -libc::E2BIG, c"argument list too long";
    EACCES => UV_EACCES = -libc::EACCES, c"permission denied";
    EADDRINUSE => UV_EADDRINUSE = -libc::EADDRINUSE, c"address already in use";
    EADDRNOTAVAIL => UV_EADDRNOTAVAIL = -libc::EADDRNOTAVAIL, c"address not available";
    EAFNOSUPPORT => UV_EAFNOSUPPORT = -libc::EAFNOSUPPORT, c"address family not supported";
    EAGAIN => UV_EAGAIN = -libc::EAGAIN, c"resource temporarily unavailable";
    EAI_ADDRFAMILY => UV_EAI_ADDRFAMILY = -3000, c"address family not supported";
    EAI_AGAIN => UV_EAI_AGAIN = -3001, c"temporary failure";
    EAI_BADFLAGS => UV_EAI_BADFLAGS = -3002, c"bad ai_flags value";
    EAI_BADHINTS => UV_EAI_BADHINTS = -3013, c"invalid value for hints";
    EAI_CANCELED => UV_EAI_CANCELED = -3003, c"request canceled";
    EAI_FAIL => UV_EAI_FAIL = -3004, c"permanent failure";
    EAI_FAMILY => UV_EAI_FAMILY = -3005, c"ai_family not supported";
    EAI_MEMORY => UV_EAI_MEMORY = -3006, c"out of memory";
    EAI_NODATA => UV_EAI_NODATA = -3007, c"no address";
    EAI_NONAME => UV_EAI_NONAME = -3008, c"unknown node or service";
    EAI_OVERFLOW => UV_EAI_OVERFLOW = -3009, c"argument buffer overflow";
    EAI_PROTOCOL => UV_EAI_PROTOCOL = -3014, c"resolved protocol is unknown";
    EAI_SERVICE => UV_EAI_SERVICE = -3010, c"service not available for socket type";
    EAI_SOCKTYPE => UV_EAI_SOCKTYPE = -3011, c"socket type not supported";
    EALREADY => UV_EALREADY = -libc::EALREADY, c"connection already in progress";
    EBADF => UV_EBADF = -libc::EBADF, c"bad file descriptor";
    EBUSY => UV_EBUSY = -libc::EBUSY, c"resource busy or locked";
    ECANCELED => UV_ECANCELED = -libc::ECANCELED, c"operation canceled";
    ECHARSET => UV_ECHARSET = -4080, c"invalid Unicode character";
    ECONNABORTED => UV_ECONNABORTED = -libc::ECONNABORTED, c"software caused connection abort";
    ECONNREFUSED => UV_ECONNREFUSED = -libc::ECONNREFUSED, c"connection refused";
    ECONNRESET => UV_ECONNRESET = -libc::ECONNRESET, c"connection reset by peer";
    EDESTADDRREQ => UV_EDESTADDRREQ = -libc::EDESTADDRREQ, c"destination address required";
    EEXIST => UV_EEXIST = -libc::EEXIST, c"file already exists";
    EFAULT => UV_EFAULT = -libc::EFAULT, c"bad address in system call argument";
    EFBIG => UV_EFBIG = -libc::EFBIG, c"file too large";
    EHOSTUNREACH => UV_EHOSTUNREACH = -libc::EHOSTUNREACH, c"host is unreachable";
    EINTR => UV_EINTR = -libc::EINTR, c"interrupted system call";
    EINVAL => UV_EINVAL = -libc::EINVAL, c"invalid argument";
    EIO => UV_EIO = -libc::EIO, c"i/o error";
    EISCONN => UV_EISCONN = -libc::EISCONN, c"socket is already connected";
    EISDIR => UV_EISDIR = -libc::EISDIR, c"illegal operation on a directory";
    ELOOP => UV_ELOOP = -libc::ELOOP, c"too many symbolic links encountered";
    EMFILE => UV_EMFILE = -libc::EMFILE, c"too many open files";
    EMSGSIZE => UV_EMSGSIZE = -libc::EMSGSIZE, c"message too long";
    ENAMETOOLONG => UV_ENAMETOOLONG = -libc::ENAMETOOLONG, c"name too long";
    ENETDOWN => UV_ENETDOWN = -libc::ENETDOWN, c"network is down";
    ENETUNREACH => UV_ENETUNREACH = -libc::ENETUNREACH, c"network is unreachable";
    ENFILE => UV_ENFILE = -libc::ENFILE, c"file table overflow";
    ENOBUFS => UV_ENOBUFS = -libc::ENOBUFS, c"no buffer space available";
    ENODEV => UV_ENODEV = -libc::ENODEV, c"no such device";
    ENOENT => UV_ENOENT = -libc::ENOENT, c"no such file or directory";
    ENOMEM => UV_ENOMEM = -libc::ENOMEM, c"not enough memory";
    ENONET => UV_ENONET = -libc::ENONET, c"machine is not on the network";
    ENOPROTOOPT => UV_ENOPROTOOPT = -libc::ENOPROTOOPT, c"protocol not available";
    ENOSPC => UV_ENOSPC = -libc::ENOSPC, c"no space left on device";
    ENOSYS => UV_ENOSYS = -libc::ENOSYS, c"function not implemented";
    ENOTCONN => UV_ENOTCONN = -libc::ENOTCONN, c"socket is not connected";
    ENOTDIR => UV_ENOTDIR = -libc::ENOTDIR, c"not a directory";
    ENOTEMPTY => UV_ENOTEMPTY = -libc::ENOTEMPTY, c"directory not empty";
    ENOTSOCK => UV_ENOTSOCK = -libc::ENOTSOCK, c"socket operation on non-socket";
    ENOTSUP => UV_ENOTSUP = -libc::ENOTSUP, c"operation not supported on socket";
    EOVERFLOW => UV_EOVERFLOW = -libc::EOVERFLOW, c"value too large for defined data type";
    EPERM => UV_EPERM = -libc::EPERM, c"operation not permitted";
    EPIPE => UV_EPIPE = -libc::EPIPE, c"broken pipe";
    EPROTO => UV_EPROTO = -libc::EPROTO, c"protocol error";
    EPROTONOSUPPORT => UV_EPROTONOSUPPORT = -libc::EPROTONOSUPPORT, c"protocol not supported";
    EPROTOTYPE => UV_EPROTOTYPE = -libc::EPROTOTYPE, c"protocol wrong type for socket";
    ERANGE => UV_ERANGE = -libc::ERANGE, c"result too large";
    EROFS => UV_EROFS = -libc::EROFS, c"read-only file system";
    ESHUTDOWN => UV_ESHUTDOWN = -libc::ESHUTDOWN,
        c"cannot send after transport endpoint shutdown";
    ESPIPE => UV_ESPIPE = -libc::ESPIPE, c"invalid seek";
    ESRCH => UV_ESRCH = -libc::ESRCH, c"no such process";
    ETIMEDOUT => UV_ETIMEDOUT = -libc::ETIMEDOUT, c"connection timed out";
    ETXTBSY => UV_ETXTBSY = -libc::ETXTBSY, c"text file is busy";
    EXDEV => UV_EXDEV = -libc::EXDEV, c"cross-device link not permitted";
    UNKNOWN => UV_UNKNOWN = -4094, c"unknown error";
    EOF => UV_EOF = -4095, c"end of file";
    ENXIO => UV_ENXIO = -libc::ENXIO, c"no such device or address";
    EMLINK => UV_EMLINK = -libc::EMLINK, c"too many links";
    EHOSTDOWN => UV_EHOSTDOWN = -libc::EHOSTDOWN, c"host is down";
    EREMOTEIO => UV_EREMOTEIO = -libc::EREMOTEIO, c"remote I/O error";
    ENOTTY => UV_ENOTTY = -libc::ENOTTY, c"inappropriate ioctl for device";
    EFTYPE => UV_EFTYPE = -4028, c"inappropriate file type or format";
    EILSEQ => UV_EILSEQ = -libc::EILSEQ, c"illegal byte sequence";
    ESOCKTNOSUPPORT => UV_ESOCKTNOSUPPORT = -libc::ESOCKTNOSUPPORT, c"socket type not supported";
    ENODATA => UV_ENODATA = -libc::ENODATA, c"no data available";
    EUNATCH => UV_EUNATCH = -libc::EUNATCH, c"protocol driver not attached";
    ENOEXEC => UV_ENOEXEC = -libc::ENOEXEC, c"exec format error";
}
