//! C layouts of the thread-pool requests (filesystem, work, DNS, random), the directory
//! types, the `uv_any_req` union, and the plain value types of libuv's "miscellaneous
//! utilities" (CPU info, interface addresses, passwd, uname, rusage, environment items,
//! thread options), with the `UV_FS_*`, `UV_PRIORITY_*`, `UV_VERSION_*` and size macros.
//!
//! Every struct is `#[repr(C)]` with libuv 1.44's size on Linux x86_64 and keeps libuv's
//! name and offset for every field listed in `c_tests/abi/layout-1.44-linux-x86_64.txt`.
//! Each request that runs on the pool embeds a [`uv__work`] as `work_req`, as in libuv.
//! `const` assertions at the bottom pin sizes and offsets.

use core::ffi::{c_char, c_int, c_uint, c_ulong, c_void};
use core::mem::ManuallyDrop;

use super::base::*;
use super::io::*;

// ---------------------------------------------------------------------------------------
// Type aliases C sees by libuv's names (excluded from cbindgen's output: prologue.h
// forward-declares them).

pub type uv_fs_t = uv_fs_s;
pub type uv_work_t = uv_work_s;
pub type uv_getaddrinfo_t = uv_getaddrinfo_s;
pub type uv_getnameinfo_t = uv_getnameinfo_s;
pub type uv_random_t = uv_random_s;
pub type uv_dir_t = uv_dir_s;
pub type uv_dirent_t = uv_dirent_s;
pub type uv_statfs_t = uv_statfs_s;
pub type uv_cpu_info_t = uv_cpu_info_s;
pub type uv_interface_address_t = uv_interface_address_s;
pub type uv_passwd_t = uv_passwd_s;
pub type uv_group_t = uv_group_s;
pub type uv_utsname_t = uv_utsname_s;
pub type uv_env_item_t = uv_env_item_s;
pub type uv_thread_options_t = uv_thread_options_s;

// Rust-side views of enum-typed C arguments and fields (see `HandleTypeArg`).
pub type FsTypeArg = c_int;
pub type DirentTypeArg = c_int;

// ---------------------------------------------------------------------------------------
// Enums.

#[repr(C)]
pub enum uv_fs_type {
    UV_FS_UNKNOWN = -1,
    UV_FS_CUSTOM = 0,
    UV_FS_OPEN,
    UV_FS_CLOSE,
    UV_FS_READ,
    UV_FS_WRITE,
    UV_FS_SENDFILE,
    UV_FS_STAT,
    UV_FS_LSTAT,
    UV_FS_FSTAT,
    UV_FS_FTRUNCATE,
    UV_FS_UTIME,
    UV_FS_FUTIME,
    UV_FS_ACCESS,
    UV_FS_CHMOD,
    UV_FS_FCHMOD,
    UV_FS_FSYNC,
    UV_FS_FDATASYNC,
    UV_FS_UNLINK,
    UV_FS_RMDIR,
    UV_FS_MKDIR,
    UV_FS_MKDTEMP,
    UV_FS_RENAME,
    UV_FS_SCANDIR,
    UV_FS_LINK,
    UV_FS_SYMLINK,
    UV_FS_READLINK,
    UV_FS_CHOWN,
    UV_FS_FCHOWN,
    UV_FS_REALPATH,
    UV_FS_COPYFILE,
    UV_FS_LCHOWN,
    UV_FS_OPENDIR,
    UV_FS_READDIR,
    UV_FS_CLOSEDIR,
    UV_FS_STATFS,
    UV_FS_MKSTEMP,
    UV_FS_LUTIME,
}

#[repr(C)]
pub enum uv_dirent_type_t {
    UV_DIRENT_UNKNOWN = 0,
    UV_DIRENT_FILE,
    UV_DIRENT_DIR,
    UV_DIRENT_LINK,
    UV_DIRENT_FIFO,
    UV_DIRENT_SOCKET,
    UV_DIRENT_CHAR,
    UV_DIRENT_BLOCK,
}

#[repr(C)]
pub enum uv_thread_create_flags {
    UV_THREAD_NO_FLAGS = 0x00,
    UV_THREAD_HAS_STACK_SIZE = 0x01,
}

/// The priorities of `uv_thread_setpriority` (an anonymous enum in libuv 1.48+).
#[repr(C)]
pub enum uv_thread_priority {
    UV_THREAD_PRIORITY_HIGHEST = 2,
    UV_THREAD_PRIORITY_ABOVE_NORMAL = 1,
    UV_THREAD_PRIORITY_NORMAL = 0,
    UV_THREAD_PRIORITY_BELOW_NORMAL = -1,
    UV_THREAD_PRIORITY_LOWEST = -2,
}

// ---------------------------------------------------------------------------------------
// Macros (`#define`s in C).

// UV_VERSION_* are in include/uv-fragments/epilogue.h (UV_VERSION_HEX is an expression
// there, as in libuv).

/// `IF_NAMESIZE + 1`.
pub const UV_IF_NAMESIZE: c_int = 17;
/// `MAXHOSTNAMELEN + 1`.
pub const UV_MAXHOSTNAMESIZE: c_int = 65;

pub const UV_PRIORITY_LOW: c_int = 19;
pub const UV_PRIORITY_BELOW_NORMAL: c_int = 10;
pub const UV_PRIORITY_NORMAL: c_int = 0;
pub const UV_PRIORITY_ABOVE_NORMAL: c_int = -7;
pub const UV_PRIORITY_HIGH: c_int = -14;
pub const UV_PRIORITY_HIGHEST: c_int = -20;

// `uv_fs_open` flags: Linux x86_64's `O_*` values, as libuv's unix.h has them (without
// `_GNU_SOURCE`, so `UV_FS_O_NOATIME` is 0), and 0 for the Windows-only ones.
pub const UV_FS_O_APPEND: c_int = 0o2000;
pub const UV_FS_O_CREAT: c_int = 0o100;
pub const UV_FS_O_DIRECT: c_int = 0x4000;
pub const UV_FS_O_DIRECTORY: c_int = 0o200000;
pub const UV_FS_O_DSYNC: c_int = 0o10000;
pub const UV_FS_O_EXCL: c_int = 0o200;
pub const UV_FS_O_EXLOCK: c_int = 0;
pub const UV_FS_O_NOATIME: c_int = 0;
pub const UV_FS_O_NOCTTY: c_int = 0o400;
pub const UV_FS_O_NOFOLLOW: c_int = 0o400000;
pub const UV_FS_O_NONBLOCK: c_int = 0o4000;
pub const UV_FS_O_RDONLY: c_int = 0;
pub const UV_FS_O_RDWR: c_int = 2;
pub const UV_FS_O_SYMLINK: c_int = 0;
pub const UV_FS_O_SYNC: c_int = 0o4010000;
pub const UV_FS_O_TRUNC: c_int = 0o1000;
pub const UV_FS_O_WRONLY: c_int = 1;
pub const UV_FS_O_FILEMAP: c_int = 0;
pub const UV_FS_O_RANDOM: c_int = 0;
pub const UV_FS_O_SHORT_LIVED: c_int = 0;
pub const UV_FS_O_SEQUENTIAL: c_int = 0;
pub const UV_FS_O_TEMPORARY: c_int = 0;

pub const UV_FS_COPYFILE_EXCL: c_int = 0x0001;
pub const UV_FS_COPYFILE_FICLONE: c_int = 0x0002;
pub const UV_FS_COPYFILE_FICLONE_FORCE: c_int = 0x0004;

pub const UV_FS_SYMLINK_DIR: c_int = 0x0001;
pub const UV_FS_SYMLINK_JUNCTION: c_int = 0x0002;

// ---------------------------------------------------------------------------------------
// Callbacks.

pub type uv_fs_cb = Option<unsafe extern "C" fn(req: *mut uv_fs_t)>;
pub type uv_work_cb = Option<unsafe extern "C" fn(req: *mut uv_work_t)>;
pub type uv_after_work_cb = Option<unsafe extern "C" fn(req: *mut uv_work_t, status: c_int)>;
pub type uv_getaddrinfo_cb = Option<
    unsafe extern "C" fn(req: *mut uv_getaddrinfo_t, status: c_int, res: *mut libc::addrinfo),
>;
pub type uv_getnameinfo_cb = Option<
    unsafe extern "C" fn(
        req: *mut uv_getnameinfo_t,
        status: c_int,
        hostname: *const c_char,
        service: *const c_char,
    ),
>;
pub type uv_random_cb = Option<
    unsafe extern "C" fn(req: *mut uv_random_t, status: c_int, buf: *mut c_void, buflen: usize),
>;

// ---------------------------------------------------------------------------------------
// Requests.

/// `uv_fs_t`, 440 bytes. Every field keeps libuv's name, offset and meaning: the public
/// results (`result`, `ptr`, `path`, `statbuf`) and the private arguments of the operation
/// (`new_path` ... `mtime`), the pool item `work_req` and four inline buffers `bufsml`.
#[repr(C)]
pub struct uv_fs_s {
    pub data: *mut c_void,
    pub r#type: ReqTypeArg,
    pub reserved: [*mut c_void; 5],
    pub write_extra: uv__req_write_extra_s,
    pub fs_type: FsTypeArg,
    pub r#loop: *mut uv_loop_t,
    pub cb: uv_fs_cb,
    pub result: libc::ssize_t,
    pub ptr: *mut c_void,
    pub path: *const c_char,
    pub statbuf: uv_stat_t,
    pub new_path: *const c_char,
    pub file: uv_file,
    pub flags: c_int,
    pub mode: libc::mode_t,
    pub nbufs: c_uint,
    pub bufs: *mut uv_buf_t,
    pub off: libc::off_t,
    pub uid: uv_uid_t,
    pub gid: uv_gid_t,
    pub atime: f64,
    pub mtime: f64,
    pub work_req: uv__work,
    pub bufsml: [uv_buf_t; 4],
}

/// `uv_work_t`, 128 bytes.
#[repr(C)]
pub struct uv_work_s {
    pub data: *mut c_void,
    pub r#type: ReqTypeArg,
    pub reserved: [*mut c_void; 5],
    pub write_extra: uv__req_write_extra_s,
    pub r#loop: *mut uv_loop_t,
    pub work_cb: uv_work_cb,
    pub after_work_cb: uv_after_work_cb,
    pub work_req: uv__work,
}

/// `uv_getaddrinfo_t`, 160 bytes. `addrinfo` is the result handed to the callback (libuv
/// marks it private, but programs read it).
#[repr(C)]
pub struct uv_getaddrinfo_s {
    pub data: *mut c_void,
    pub r#type: ReqTypeArg,
    pub reserved: [*mut c_void; 5],
    pub write_extra: uv__req_write_extra_s,
    pub r#loop: *mut uv_loop_t,
    pub work_req: uv__work,
    pub cb: uv_getaddrinfo_cb,
    pub hints: *mut libc::addrinfo,
    pub hostname: *mut c_char,
    pub service: *mut c_char,
    pub addrinfo: *mut libc::addrinfo,
    pub retcode: c_int,
}

/// `uv_getnameinfo_t`, 1320 bytes. `host` and `service` hold the result (libuv marks them
/// private, but programs read them); `storage` holds a copy of the address to resolve.
#[repr(C)]
pub struct uv_getnameinfo_s {
    pub data: *mut c_void,
    pub r#type: ReqTypeArg,
    pub reserved: [*mut c_void; 5],
    pub write_extra: uv__req_write_extra_s,
    pub r#loop: *mut uv_loop_t,
    pub work_req: uv__work,
    pub getnameinfo_cb: uv_getnameinfo_cb,
    pub storage: libc::sockaddr_storage,
    pub flags: c_int,
    pub host: [c_char; 1025],
    pub service: [c_char; 32],
    pub retcode: c_int,
}

/// `uv_random_t`, 144 bytes.
#[repr(C)]
pub struct uv_random_s {
    pub data: *mut c_void,
    pub r#type: ReqTypeArg,
    pub reserved: [*mut c_void; 5],
    pub write_extra: uv__req_write_extra_s,
    pub r#loop: *mut uv_loop_t,
    pub status: c_int,
    pub buf: *mut c_void,
    pub buflen: usize,
    pub cb: uv_random_cb,
    pub work_req: uv__work,
}

/// `union uv_any_req`: big enough for any request (1320 bytes, `uv_getnameinfo_t`'s).
/// Members name the `struct uv_X_s` types so that cbindgen emits them before the union.
#[repr(C)]
pub union uv_any_req {
    pub req: ManuallyDrop<uv_req_s>,
    pub connect: ManuallyDrop<uv_connect_s>,
    pub write: ManuallyDrop<uv_write_s>,
    pub shutdown: ManuallyDrop<uv_shutdown_s>,
    pub udp_send: ManuallyDrop<uv_udp_send_s>,
    pub fs: ManuallyDrop<uv_fs_s>,
    pub work: ManuallyDrop<uv_work_s>,
    pub getaddrinfo: ManuallyDrop<uv_getaddrinfo_s>,
    pub getnameinfo: ManuallyDrop<uv_getnameinfo_s>,
    pub random: ManuallyDrop<uv_random_s>,
}

// ---------------------------------------------------------------------------------------
// Directories.

/// `uv_dirent_t`, 16 bytes.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv_dirent_s {
    pub name: *const c_char,
    pub r#type: DirentTypeArg,
}

/// `uv_dir_t`, 56 bytes: the caller's entry buffer, then private space and the `DIR*`.
#[repr(C)]
pub struct uv_dir_s {
    pub dirents: *mut uv_dirent_t,
    pub nentries: usize,
    pub reserved: [*mut c_void; 4],
    pub dir: *mut libc::DIR,
}

/// `uv_statfs_t`, 88 bytes.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct uv_statfs_s {
    pub f_type: u64,
    pub f_bsize: u64,
    pub f_blocks: u64,
    pub f_bfree: u64,
    pub f_bavail: u64,
    pub f_files: u64,
    pub f_ffree: u64,
    /// libuv 1.53: the fragment size, in the first of 1.44's four spare words.
    pub f_frsize: u64,
    pub f_spare: [u64; 3],
}

// ---------------------------------------------------------------------------------------
// Miscellaneous value types.

/// `struct uv_cpu_times_s`, 40 bytes, in milliseconds.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct uv_cpu_times_s {
    pub user: u64,
    pub nice: u64,
    pub sys: u64,
    pub idle: u64,
    pub irq: u64,
}

/// `uv_cpu_info_t`, 56 bytes.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv_cpu_info_s {
    pub model: *const c_char,
    pub speed: c_int,
    pub cpu_times: uv_cpu_times_s,
}

/// The `address` union of `uv_interface_address_t` (anonymous in libuv's header).
#[repr(C)]
#[derive(Clone, Copy)]
pub union uv_interface_address_addr {
    pub address4: libc::sockaddr_in,
    pub address6: libc::sockaddr_in6,
}

/// The `netmask` union of `uv_interface_address_t` (anonymous in libuv's header).
#[repr(C)]
#[derive(Clone, Copy)]
pub union uv_interface_address_mask {
    pub netmask4: libc::sockaddr_in,
    pub netmask6: libc::sockaddr_in6,
}

/// `uv_interface_address_t`, 80 bytes.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv_interface_address_s {
    pub name: *mut c_char,
    pub phys_addr: [c_char; 6],
    pub is_internal: c_int,
    pub address: uv_interface_address_addr,
    pub netmask: uv_interface_address_mask,
}

/// `uv_passwd_t`, 40 bytes.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv_passwd_s {
    pub username: *mut c_char,
    pub uid: c_ulong,
    pub gid: c_ulong,
    pub shell: *mut c_char,
    pub homedir: *mut c_char,
}

/// `uv_group_t`, 24 bytes (libuv 1.45+): `members` is a NULL-terminated array.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv_group_s {
    pub groupname: *mut c_char,
    pub gid: c_ulong,
    pub members: *mut *mut c_char,
}

/// `uv_utsname_t`, 1024 bytes.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv_utsname_s {
    pub sysname: [c_char; 256],
    pub release: [c_char; 256],
    pub version: [c_char; 256],
    pub machine: [c_char; 256],
}

/// `uv_rusage_t`, 144 bytes (an anonymous struct in libuv's header).
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct uv_rusage_t {
    pub ru_utime: uv_timeval_t,
    pub ru_stime: uv_timeval_t,
    pub ru_maxrss: u64,
    pub ru_ixrss: u64,
    pub ru_idrss: u64,
    pub ru_isrss: u64,
    pub ru_minflt: u64,
    pub ru_majflt: u64,
    pub ru_nswap: u64,
    pub ru_inblock: u64,
    pub ru_oublock: u64,
    pub ru_msgsnd: u64,
    pub ru_msgrcv: u64,
    pub ru_nsignals: u64,
    pub ru_nvcsw: u64,
    pub ru_nivcsw: u64,
}

/// `uv_env_item_t`, 16 bytes.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct uv_env_item_s {
    pub name: *mut c_char,
    pub value: *mut c_char,
}

/// `uv_thread_options_t`, 16 bytes.
#[repr(C)]
#[derive(Clone, Copy, Default)]
pub struct uv_thread_options_s {
    pub flags: c_uint,
    pub stack_size: usize,
}

// ---------------------------------------------------------------------------------------
// Layout checks against c_tests/abi/layout-1.44-linux-x86_64.txt.

const _: () = {
    use super::io::assert_req_base;
    use core::mem::{align_of, offset_of, size_of};

    assert_req_base!(uv_fs_t);
    assert!(size_of::<uv_fs_t>() == 440);
    assert!(offset_of!(uv_fs_t, fs_type) == 64);
    assert!(offset_of!(uv_fs_t, r#loop) == 72);
    assert!(offset_of!(uv_fs_t, cb) == 80);
    assert!(offset_of!(uv_fs_t, result) == 88);
    assert!(offset_of!(uv_fs_t, ptr) == 96);
    assert!(offset_of!(uv_fs_t, path) == 104);
    assert!(offset_of!(uv_fs_t, statbuf) == 112);
    assert!(offset_of!(uv_fs_t, new_path) == 272);
    assert!(offset_of!(uv_fs_t, file) == 280);
    assert!(offset_of!(uv_fs_t, flags) == 284);
    assert!(offset_of!(uv_fs_t, mode) == 288);
    assert!(offset_of!(uv_fs_t, nbufs) == 292);
    assert!(offset_of!(uv_fs_t, bufs) == 296);
    assert!(offset_of!(uv_fs_t, off) == 304);
    assert!(offset_of!(uv_fs_t, uid) == 312);
    assert!(offset_of!(uv_fs_t, gid) == 316);
    assert!(offset_of!(uv_fs_t, atime) == 320);
    assert!(offset_of!(uv_fs_t, mtime) == 328);
    assert!(offset_of!(uv_fs_t, work_req) == 336);
    assert!(offset_of!(uv_fs_t, bufsml) == 376);

    assert_req_base!(uv_work_t);
    assert!(size_of::<uv_work_t>() == 128);
    assert!(offset_of!(uv_work_t, r#loop) == 64);
    assert!(offset_of!(uv_work_t, work_cb) == 72);
    assert!(offset_of!(uv_work_t, after_work_cb) == 80);
    assert!(offset_of!(uv_work_t, work_req) == 88);

    assert_req_base!(uv_getaddrinfo_t);
    assert!(size_of::<uv_getaddrinfo_t>() == 160);
    assert!(offset_of!(uv_getaddrinfo_t, r#loop) == 64);
    assert!(offset_of!(uv_getaddrinfo_t, work_req) == 72);
    assert!(offset_of!(uv_getaddrinfo_t, cb) == 112);
    assert!(offset_of!(uv_getaddrinfo_t, hints) == 120);
    assert!(offset_of!(uv_getaddrinfo_t, hostname) == 128);
    assert!(offset_of!(uv_getaddrinfo_t, service) == 136);
    assert!(offset_of!(uv_getaddrinfo_t, addrinfo) == 144);
    assert!(offset_of!(uv_getaddrinfo_t, retcode) == 152);

    assert_req_base!(uv_getnameinfo_t);
    assert!(size_of::<uv_getnameinfo_t>() == 1320);
    assert!(offset_of!(uv_getnameinfo_t, r#loop) == 64);
    assert!(offset_of!(uv_getnameinfo_t, getnameinfo_cb) == 112);
    assert!(offset_of!(uv_getnameinfo_t, host) == 252);
    assert!(offset_of!(uv_getnameinfo_t, service) == 1277);
    assert!(offset_of!(uv_getnameinfo_t, retcode) == 1312);

    assert_req_base!(uv_random_t);
    assert!(size_of::<uv_random_t>() == 144);
    assert!(offset_of!(uv_random_t, r#loop) == 64);
    assert!(offset_of!(uv_random_t, status) == 72);
    assert!(offset_of!(uv_random_t, buf) == 80);
    assert!(offset_of!(uv_random_t, buflen) == 88);
    assert!(offset_of!(uv_random_t, cb) == 96);
    assert!(offset_of!(uv_random_t, work_req) == 104);

    assert!(size_of::<uv_any_req>() == 1320);
    assert!(align_of::<uv_any_req>() == 8);

    assert!(size_of::<uv_dirent_t>() == 16);
    assert!(offset_of!(uv_dirent_t, r#type) == 8);
    assert!(size_of::<uv_dir_t>() == 56);
    assert!(offset_of!(uv_dir_t, nentries) == 8);
    assert!(offset_of!(uv_dir_t, reserved) == 16);
    assert!(offset_of!(uv_dir_t, dir) == 48);
    assert!(size_of::<uv_statfs_t>() == 88);
    assert!(offset_of!(uv_statfs_t, f_frsize) == 56);
    assert!(offset_of!(uv_statfs_t, f_spare) == 64);

    assert!(size_of::<uv_cpu_times_s>() == 40);
    assert!(offset_of!(uv_cpu_times_s, irq) == 32);
    assert!(size_of::<uv_cpu_info_t>() == 56);
    assert!(offset_of!(uv_cpu_info_t, speed) == 8);
    assert!(offset_of!(uv_cpu_info_t, cpu_times) == 16);
    assert!(size_of::<uv_interface_address_t>() == 80);
    assert!(offset_of!(uv_interface_address_t, phys_addr) == 8);
    assert!(offset_of!(uv_interface_address_t, is_internal) == 16);
    assert!(offset_of!(uv_interface_address_t, address) == 20);
    assert!(offset_of!(uv_interface_address_t, netmask) == 48);
    assert!(size_of::<uv_passwd_t>() == 40);
    assert!(offset_of!(uv_passwd_t, uid) == 8);
    assert!(offset_of!(uv_passwd_t, gid) == 16);
    assert!(offset_of!(uv_passwd_t, shell) == 24);
    assert!(offset_of!(uv_passwd_t, homedir) == 32);
    assert!(size_of::<uv_group_t>() == 24);
    assert!(offset_of!(uv_group_t, gid) == 8);
    assert!(offset_of!(uv_group_t, members) == 16);
    assert!(size_of::<uv_utsname_t>() == 1024);
    assert!(align_of::<uv_utsname_t>() == 1);
    assert!(offset_of!(uv_utsname_t, machine) == 768);
    assert!(size_of::<uv_rusage_t>() == 144);
    assert!(offset_of!(uv_rusage_t, ru_maxrss) == 32);
    assert!(offset_of!(uv_rusage_t, ru_nivcsw) == 136);
    assert!(size_of::<uv_env_item_t>() == 16);
    assert!(offset_of!(uv_env_item_t, value) == 8);
    assert!(size_of::<uv_thread_options_t>() == 16);
    assert!(offset_of!(uv_thread_options_t, stack_size) == 8);
    assert!(size_of::<uv_fs_type>() == 4);
};
