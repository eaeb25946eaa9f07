//! The portable backend on the `polling` crate, level-triggered. On Linux it also sits on
//! epoll, but through `polling`'s API, so that the loop is tested against the shape other
//! platforms would have. A signal mask for the wait is applied around it with
//! `pthread_sigmask`.

use super::{Backend, ERROR, Event, PRIORITIZED, READABLE, WRITABLE};
use polling::{PollMode, Poller};
use std::io;
use std::num::NonZeroUsize;
use std::os::fd::{AsRawFd, BorrowedFd, RawFd};
use std::time::Duration;

pub(crate) struct Portable {
    /// Dropped by hand: not at all once [`Backend::abandon`] was called.
    poller: core::mem::ManuallyDrop<Poller>,
    abandoned: bool,
    events: polling::Events,
}

impl Drop for Portable {
    fn drop(&mut self) {
        if !self.abandoned {
            // SAFETY: dropped once, here, and never used again.
            unsafe { core::mem::ManuallyDrop::drop(&mut self.poller) };
        }
    }
}

impl Portable {
    pub(crate) fn new() -> io::Result<Portable> {
        Ok(Portable {
            poller: core::mem::ManuallyDrop::new(Poller::new()?),
            abandoned: false,
            events: polling::Events::with_capacity(NonZeroUsize::new(1024).unwrap()),
        })
    }
}

fn event(token: u64, interest: u32) -> polling::Event {
    let mut ev = polling::Event::none(token as usize);
    ev.readable = interest & READABLE != 0;
    ev.writable = interest & WRITABLE != 0;
    ev.set_priority(interest & PRIORITIZED != 0);
    ev
}

fn borrow(fd: RawFd) -> BorrowedFd<'static> {
    // SAFETY: the caller registered `fd` and keeps it open until it deregisters it; the
    // borrow does not outlive the call it is made for.
    unsafe { BorrowedFd::borrow_raw(fd) }
}

impl Backend for Portable {
    /// `polling::Poller`'s drop deregisters its internal descriptors from the epoll
    /// instance the parent shares, so the child's copy is leaked instead: three
    /// descriptors per `uv_loop_fork` on this backend.
    fn abandon(&mut self) {
        self.abandoned = true;
    }

    fn register(&mut self, fd: RawFd, token: u64, interest: u32) -> io::Result<()> {
        // SAFETY: the loop deregisters every descriptor before it is closed.
        unsafe {
            self.poller
                .add_with_mode(fd, event(token, interest), PollMode::Level)
        }
    }

    fn modify(&mut self, fd: RawFd, token: u64, interest: u32) -> io::Result<()> {
        self.poller
            .modify_with_mode(borrow(fd), event(token, interest), PollMode::Level)
    }

    fn deregister(&mut self, fd: RawFd) -> io::Result<()> {
        self.poller.delete(borrow(fd))
    }

    fn wait(
        &mut self,
        events: &mut crate::abi::alloc::UvVec<Event>,
        timeout_ms: i32,
        sigmask: Option<&libc::sigset_t>,
    ) -> io::Result<()> {
        let timeout = (timeout_ms >= 0).then(|| Duration::from_millis(timeout_ms as u64));
        self.events.clear();
        let mut old: libc::sigset_t = unsafe_zeroed_sigset();
        if let Some(mask) = sigmask {
            // SAFETY: both sigsets are live; we restore the old mask below.
            unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, mask, &mut old) };
        }
        let r = self.poller.wait(&mut self.events, timeout);
        if sigmask.is_some() {
            // SAFETY: restores the mask saved above.
            unsafe { libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut()) };
        }
        match r {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
        events.extend(self.events.iter().map(|e| {
            let mut ready = 0;
            if e.readable {
                ready |= READABLE;
            }
            if e.writable {
                ready |= WRITABLE;
            }
            if e.is_priority() {
                ready |= PRIORITIZED;
            }
            if e.is_err() == Some(true) {
                ready |= ERROR;
            }
            Event {
                token: e.key as u64,
                ready,
            }
        }));
        Ok(())
    }

    fn fd(&self) -> RawFd {
        self.poller.as_raw_fd()
    }
}

fn unsafe_zeroed_sigset() -> libc::sigset_t {
    // SAFETY: sigset_t is plain data; all-zero is the empty set on Linux.
    unsafe { std::mem::zeroed() }
}
