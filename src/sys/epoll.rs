//! The native Linux backend: one epoll instance, level-triggered; `epoll_pwait` when a
//! signal mask (`UV_LOOP_BLOCK_SIGNAL`) must hold exactly while the loop sleeps.

use super::{Backend, DISCONNECT, ERROR, Event, PRIORITIZED, READABLE, WRITABLE};
use crate::abi::alloc::UvVec;
use std::io;
use std::os::fd::RawFd;

pub(crate) struct Epoll {
    epfd: RawFd,
    buf: UvVec<libc::epoll_event>,
}

impl Epoll {
    pub(crate) fn new() -> io::Result<Epoll> {
        // SAFETY: no pointers; the result is checked.
        let epfd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if epfd < 0 {
            return Err(io::Error::last_os_error());
        }
        let Some(buf) = UvVec::try_with_capacity(1024) else {
            // SAFETY: our own fresh descriptor, not used after this.
            unsafe { libc::close(epfd) };
            return Err(io::Error::from_raw_os_error(libc::ENOMEM));
        };
        Ok(Epoll { epfd, buf })
    }

    fn ctl(&self, op: libc::c_int, fd: RawFd, token: u64, interest: u32) -> io::Result<()> {
        let mut ev = libc::epoll_event {
            events: to_epoll(interest),
            u64: token,
        };
        // SAFETY: `ev` is a live epoll_event; epfd is ours.
        if unsafe { libc::epoll_ctl(self.epfd, op, fd, &mut ev) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }
}

fn to_epoll(interest: u32) -> u32 {
    let mut e = 0;
    if interest & READABLE != 0 {
        e |= libc::EPOLLIN as u32;
    }
    if interest & WRITABLE != 0 {
        e |= libc::EPOLLOUT as u32;
    }
    if interest & DISCONNECT != 0 {
        e |= libc::EPOLLRDHUP as u32;
    }
    if interest & PRIORITIZED != 0 {
        e |= libc::EPOLLPRI as u32;
    }
    e
}

fn from_epoll(e: u32) -> u32 {
    let mut r = 0;
    if e & libc::EPOLLIN as u32 != 0 {
        r |= READABLE;
    }
    if e & libc::EPOLLOUT as u32 != 0 {
        r |= WRITABLE;
    }
    if e & libc::EPOLLRDHUP as u32 != 0 {
        r |= DISCONNECT;
    }
    if e & libc::EPOLLPRI as u32 != 0 {
        r |= PRIORITIZED;
    }
    if e & (libc::EPOLLERR | libc::EPOLLHUP) as u32 != 0 {
        r |= ERROR;
    }
    r
}

impl Backend for Epoll {
    fn register(&mut self, fd: RawFd, token: u64, interest: u32) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, token, interest)
    }

    fn modify(&mut self, fd: RawFd, token: u64, interest: u32) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_MOD, fd, token, interest)
    }

    fn deregister(&mut self, fd: RawFd) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_DEL, fd, 0, 0)
    }

    fn wait(
        &mut self,
        events: &mut UvVec<Event>,
        timeout_ms: i32,
        sigmask: Option<&libc::sigset_t>,
    ) -> io::Result<()> {
        let cap = self.buf.capacity() as i32;
        let buf = self.buf.as_mut_ptr();
        // SAFETY: the buffer has `capacity` writable epoll_events; the kernel writes at
        // most that many and we set the length to what it reports. Plain epoll_wait when
        // no mask is asked for: epoll_pwait costs a signal-mask round trip in the kernel.
        let n = unsafe {
            match sigmask {
                None => libc::epoll_wait(self.epfd, buf, cap, timeout_ms),
                Some(m) => libc::epoll_pwait(self.epfd, buf, cap, timeout_ms, m),
            }
        };
        if n < 0 {
            return Err(io::Error::last_os_error());
        }
        if n == 0 {
            return Ok(());
        }
        // SAFETY: the kernel initialised the first `n` entries.
        unsafe { self.buf.set_len(n as usize) };
        events.extend(self.buf.iter().map(|e| Event {
            token: e.u64,
            ready: from_epoll(e.events),
        }));
        Ok(())
    }

    fn fd(&self) -> RawFd {
        self.epfd
    }
}

impl Drop for Epoll {
    fn drop(&mut self) {
        // SAFETY: the descriptor is ours and closed exactly once.
        unsafe { libc::close(self.epfd) };
    }
}
