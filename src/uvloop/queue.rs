//! An intrusive circular doubly-linked list, the shape of libuv's `QUEUE`: a node is two
//! pointers `[next, prev]` living inside a handle (`handle_queue`, `queue`) or inside the
//! loop (the list heads). Handles cannot move while open, so their nodes are stable.
//!
//! Every function is `unsafe`: callers pass nodes that are live and, except for `init`,
//! initialised and on the list they claim to be.

use core::ffi::c_void;

pub(crate) type Node = [*mut c_void; 2];

/// Makes `head` an empty list.
///
/// # Safety
/// `head` is valid for writes.
pub(crate) unsafe fn init(head: *mut Node) {
    // SAFETY: caller guarantees `head` is writable.
    unsafe { *head = [head.cast(), head.cast()] };
}

/// # Safety
/// `head` is an initialised list head.
pub(crate) unsafe fn is_empty(head: *const Node) -> bool {
    // SAFETY: caller guarantees `head` is initialised.
    unsafe { (*head)[0] as *const Node == head }
}

/// # Safety
/// `head` is an initialised list head.
pub(crate) unsafe fn next(q: *const Node) -> *mut Node {
    // SAFETY: caller guarantees `q` is an initialised node.
    unsafe { (*q)[0].cast() }
}

/// Inserts `q` at the tail of `head`.
///
/// # Safety
/// `head` is an initialised list; `q` is live and on no list.
pub(crate) unsafe fn insert_tail(head: *mut Node, q: *mut Node) {
    // SAFETY: caller guarantees both nodes are live; `head`'s prev is on the same list.
    unsafe {
        let prev: *mut Node = (*head)[1].cast();
        *q = [head.cast(), prev.cast()];
        (*prev)[0] = q.cast();
        (*head)[1] = q.cast();
    }
}

/// Inserts `q` at the head of `head`.
///
/// # Safety
/// `head` is an initialised list; `q` is live and on no list.
pub(crate) unsafe fn insert_head(head: *mut Node, q: *mut Node) {
    // SAFETY: caller guarantees both nodes are live; `head`'s next is on the same list.
    unsafe {
        let next: *mut Node = (*head)[0].cast();
        *q = [next.cast(), head.cast()];
        (*next)[1] = q.cast();
        (*head)[0] = q.cast();
    }
}

/// Unlinks `q` from its list and leaves it pointing at itself.
///
/// # Safety
/// `q` is on an initialised list (or points at itself).
pub(crate) unsafe fn remove(q: *mut Node) {
    // SAFETY: caller guarantees `q` and its neighbours are live nodes of one list.
    unsafe {
        let next: *mut Node = (*q)[0].cast();
        let prev: *mut Node = (*q)[1].cast();
        (*prev)[0] = next.cast();
        (*next)[1] = prev.cast();
        *q = [q.cast(), q.cast()];
    }
}

/// Moves every node of `from` onto the empty list `to`, leaving `from` empty.
///
/// # Safety
/// Both are initialised list heads; `to` is empty.
pub(crate) unsafe fn move_all(from: *mut Node, to: *mut Node) {
    // SAFETY: caller guarantees both heads are initialised.
    unsafe {
        if is_empty(from) {
            init(to);
            return;
        }
        let first: *mut Node = (*from)[0].cast();
        let last: *mut Node = (*from)[1].cast();
        *to = [first.cast(), last.cast()];
        (*first)[1] = to.cast();
        (*last)[0] = to.cast();
        init(from);
    }
}
