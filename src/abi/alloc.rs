//! The allocator of `uv_replace_allocator`.
//!
//! libuv documents that the memory it hands to the caller (`uv_loop_new`, the strings of
//! `uv_fs_t`, `uv_os_*` results, ...) comes from its allocator, which a program may replace
//! once, before any other call. The four functions are kept here as one set; until they are
//! replaced, libc's are used. Any thread may allocate.

use core::alloc::Layout;
use core::ffi::c_void;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};
use core::ptr;
use core::ptr::NonNull;
use std::sync::atomic::{AtomicPtr, Ordering};

use super::base::{uv_calloc_func, uv_free_func, uv_malloc_func, uv_realloc_func};

type Malloc = unsafe extern "C" fn(usize) -> *mut c_void;
type Realloc = unsafe extern "C" fn(*mut c_void, usize) -> *mut c_void;
type Free = unsafe extern "C" fn(*mut c_void);

/// The replaced `malloc` and `free`, NULL while libc's are in force. Each slot holds a function
/// pointer of the type named by its accessor below, stored by [`replace`] only.
static MALLOC: AtomicPtr<c_void> = AtomicPtr::new(ptr::null_mut());
static REALLOC: AtomicPtr<c_void> = AtomicPtr::new(ptr::null_mut());
static FREE: AtomicPtr<c_void> = AtomicPtr::new(ptr::null_mut());

/// Installs a caller's allocator. All four functions are required, as in libuv; `false`
/// (nothing changed) when one is missing. rsuv itself needs `malloc`, `realloc` (to grow
/// its large tables in place) and `free`.
pub(crate) fn replace(
    malloc: uv_malloc_func,
    realloc: uv_realloc_func,
    calloc: uv_calloc_func,
    free: uv_free_func,
) -> bool {
    let (Some(m), Some(r), Some(_), Some(f)) = (malloc, realloc, calloc, free) else {
        return false;
    };
    MALLOC.store(m as *mut c_void, Ordering::Release);
    REALLOC.store(r as *mut c_void, Ordering::Release);
    FREE.store(f as *mut c_void, Ordering::Release);
    true
}

/// Reads one slot: the replaced function, or libc's.
macro_rules! slot {
    ($slot:ident, $ty:ty, $libc:path) => {{
        let p = $slot.load(Ordering::Acquire);
        if p.is_null() {
            $libc as $ty
        } else {
            // SAFETY: `replace` is the only writer of this slot, and it stores a non-NULL
            // function pointer of exactly this type.
            unsafe { core::mem::transmute::<*mut c_void, $ty>(p) }
        }
    }};
}

/// `size` bytes from the allocator (NULL when out of memory).
pub(crate) fn malloc(size: usize) -> *mut c_void {
    let f = slot!(MALLOC, Malloc, libc::malloc);
    // SAFETY: any size may be asked of a malloc; NULL is its answer to failure.
    unsafe { f(size) }
}

/// Resizes `p` (a live block from [`malloc`]) to `size` bytes, moving it if need be; NULL
/// when out of memory, `p` then unchanged.
///
/// # Safety
/// `p` is a live block from [`malloc`]; `size > 0`.
pub(crate) unsafe fn realloc(p: *mut c_void, size: usize) -> *mut c_void {
    let f = slot!(REALLOC, Realloc, libc::realloc);
    // SAFETY: `p` is a live block of this allocator (the contract above).
    unsafe { f(p, size) }
}

/// Frees `p`, which is NULL or came from this allocator.
///
/// # Safety
/// `p` is NULL or a live block from [`malloc`].
pub(crate) unsafe fn free(p: *mut c_void) {
    let f = slot!(FREE, Free, libc::free);
    // SAFETY: `p` is NULL or a live block of this allocator (the contract above).
    unsafe { f(p) }
}

// ---------------------------------------------------------------------------------------
// Typed allocations on the uv allocator.
//
// Everything rsuv allocates for a loop, a handle or a request lives in memory from the
// functions above, as in libuv, so that a program's replaced allocator sees (and can count,
// pool or limit) all of it. Process-wide structures that are never freed (the pool's ticket
// slab and the signal handler's node list, which lock-free readers may touch at any time)
// stay on Rust's allocator: they belong to no loop, and a caller's allocator would see them
// as leaks it can never get back.
//
// `#[global_allocator]` forwarding to these functions was considered and rejected: std
// allocates on its own before `main` and on threads rsuv does not control (thread-locals,
// stdio buffers, the pool's thread names), so blocks from libc's malloc would later reach
// the replaced `free` (libuv's rule "replace before any other call" cannot cover std), and
// every Rust program linking the rlib would have its own allocations routed through a C
// callback table. The typed helpers below route exactly what libuv routes.

/// The alignment every `malloc` block has on x86_64 Linux (`alignof(max_align_t)`), which
/// is all a replacement must give, per libuv's contract that it behave like `malloc`.
const MALLOC_ALIGN: usize = 16;

/// A block for `layout` (size > 0) from the allocator; NULL when out of memory.
///
/// Alignments above [`MALLOC_ALIGN`] over-allocate by the alignment and keep the block's
/// start in the word just below the aligned address (there is always room: the aligned
/// address is strictly above the start and both are multiples of 8).
pub(crate) fn alloc_layout(layout: Layout) -> *mut u8 {
    debug_assert!(layout.size() > 0);
    if layout.align() <= MALLOC_ALIGN {
        return malloc(layout.size()).cast();
    }
    let Some(total) = layout.size().checked_add(layout.align()) else {
        return ptr::null_mut();
    };
    let raw = malloc(total).cast::<u8>();
    if raw.is_null() {
        return raw;
    }
    let off = layout.align() - (raw as usize & (layout.align() - 1));
    // SAFETY: `1 <= off <= align`, so `raw + off` and the `size` bytes after it are inside
    // the `size + align` block; `off >= 8` since malloc returns at least 8-aligned memory
    // and the aligned address is a larger multiple of 8, so the word below it is in the
    // block too, and it is 8-aligned.
    unsafe {
        let p = raw.add(off);
        p.cast::<*mut u8>().sub(1).write(raw);
        p
    }
}

/// Frees a block from [`alloc_layout`].
///
/// # Safety
/// `p` came from `alloc_layout(layout)` with this same layout, and is not used again.
pub(crate) unsafe fn free_layout(p: *mut u8, layout: Layout) {
    // SAFETY: by the contract, `p` is a live block of this layout: for large alignments the
    // word below it holds the block's start, stored by `alloc_layout`.
    unsafe {
        if layout.align() <= MALLOC_ALIGN {
            free(p.cast());
        } else {
            free(p.cast::<*mut u8>().sub(1).read().cast());
        }
    }
}

/// A `Box` whose memory comes from the uv allocator. Zero-sized values take no memory.
pub(crate) struct UvBox<T: ?Sized> {
    p: NonNull<T>,
    _owns: PhantomData<T>,
}

impl<T> UvBox<T> {
    /// Moves `v` into a fresh block; `None` when out of memory (`v` is dropped).
    pub(crate) fn try_new(v: T) -> Option<UvBox<T>> {
        let layout = Layout::new::<T>();
        let p = if layout.size() == 0 {
            NonNull::dangling()
        } else {
            NonNull::new(alloc_layout(layout).cast::<T>())?
        };
        // SAFETY: `p` is a fresh block of `T`'s layout (or dangling and `T` zero-sized).
        unsafe { p.as_ptr().write(v) };
        Some(UvBox {
            p,
            _owns: PhantomData,
        })
    }

    /// As [`try_new`](Self::try_new), aborting when out of memory (as `Box::new`).
    pub(crate) fn new(v: T) -> UvBox<T> {
        match Self::try_new(v) {
            Some(b) => b,
            None => std::alloc::handle_alloc_error(Layout::new::<T>()),
        }
    }
}

impl<T: Copy> UvBox<[T]> {
    /// A copy of `src` in one block; `None` when out of memory.
    pub(crate) fn try_copy_of(src: &[T]) -> Option<UvBox<[T]>> {
        let layout = Layout::array::<T>(src.len()).ok()?;
        let p = if layout.size() == 0 {
            NonNull::<T>::dangling().as_ptr()
        } else {
            alloc_layout(layout).cast::<T>()
        };
        if p.is_null() {
            return None;
        }
        // SAFETY: `p` has room for `src.len()` values of `T`, and does not overlap `src`.
        unsafe { ptr::copy_nonoverlapping(src.as_ptr(), p, src.len()) };
        let s = ptr::slice_from_raw_parts_mut(p, src.len());
        Some(UvBox {
            // SAFETY: `p` is non-null (checked, or dangling).
            p: unsafe { NonNull::new_unchecked(s) },
            _owns: PhantomData,
        })
    }
}

impl<T: ?Sized> UvBox<T> {
    /// Gives up ownership: the pointer goes back through [`from_raw`](Self::from_raw).
    pub(crate) fn into_raw(b: UvBox<T>) -> *mut T {
        let p = b.p.as_ptr();
        core::mem::forget(b);
        p
    }

    /// Takes back what [`into_raw`](Self::into_raw) gave.
    ///
    /// # Safety
    /// `p` came from `into_raw` of a `UvBox<T>` (or of a `UvBox<U>` whose pointer was then
    /// unsized to `*mut T`, as [`unsize`](Self::unsize) does), and is taken back once.
    pub(crate) unsafe fn from_raw(p: *mut T) -> UvBox<T> {
        UvBox {
            // SAFETY: `into_raw` only gives non-null pointers.
            p: unsafe { NonNull::new_unchecked(p) },
            _owns: PhantomData,
        }
    }

    /// Turns the box into one of an unsized type (`UvBox<dyn Trait>`, `UvBox<[T]>`);
    /// `f` is the unsizing cast (`|p| p as *mut dyn Trait`), which keeps the address.
    pub(crate) fn unsize<U: ?Sized>(b: UvBox<T>, f: impl FnOnce(*mut T) -> *mut U) -> UvBox<U> {
        let p = f(Self::into_raw(b));
        // SAFETY: `f` is a pointer cast of the block just given up, so `p` is that same
        // block, with metadata whose size and alignment match the value's layout.
        unsafe { UvBox::from_raw(p) }
    }
}

impl<T: ?Sized> Drop for UvBox<T> {
    fn drop(&mut self) {
        // SAFETY: the box owns a live value in a block of the value's layout, allocated by
        // `alloc_layout` unless that layout is empty.
        unsafe {
            let layout = Layout::for_value(self.p.as_ref());
            ptr::drop_in_place(self.p.as_ptr());
            if layout.size() != 0 {
                free_layout(self.p.as_ptr().cast(), layout);
            }
        }
    }
}

impl<T: ?Sized> Deref for UvBox<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the box owns a live value; shared borrow of the box.
        unsafe { self.p.as_ref() }
    }
}

impl<T: ?Sized> DerefMut for UvBox<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the box owns a live value; exclusive borrow of the box.
        unsafe { self.p.as_mut() }
    }
}

// SAFETY: a `UvBox<T>` owns its `T` as `Box<T>` does.
unsafe impl<T: ?Sized + Send> Send for UvBox<T> {}
// SAFETY: as above; shared access only hands out `&T`.
unsafe impl<T: ?Sized + Sync> Sync for UvBox<T> {}

/// A growable array on the uv allocator, for the tables a loop or handle owns: the few
/// operations those need, over a slice.
pub(crate) struct UvVec<T> {
    p: NonNull<T>,
    cap: usize,
    len: usize,
    _owns: PhantomData<T>,
}

impl<T> Default for UvVec<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> UvVec<T> {
    /// An empty array; allocates nothing.
    pub(crate) const fn new() -> UvVec<T> {
        UvVec {
            p: NonNull::dangling(),
            cap: if size_of::<T>() == 0 { usize::MAX } else { 0 },
            len: 0,
            _owns: PhantomData,
        }
    }

    /// An empty array with room for `n` (aborts when out of memory).
    pub(crate) fn with_capacity(n: usize) -> UvVec<T> {
        let mut v = Self::new();
        v.reserve(n);
        v
    }

    /// As [`with_capacity`](Self::with_capacity); `None` when out of memory.
    pub(crate) fn try_with_capacity(n: usize) -> Option<UvVec<T>> {
        let mut v = Self::new();
        v.try_reserve(n).ok()?;
        Some(v)
    }

    pub(crate) fn capacity(&self) -> usize {
        self.cap
    }

    /// Room for `extra` more; `Err(())` when out of memory (nothing changed).
    pub(crate) fn try_reserve(&mut self, extra: usize) -> Result<(), ()> {
        let need = self.len.checked_add(extra).ok_or(())?;
        if need <= self.cap {
            return Ok(());
        }
        let cap = need.max(self.cap.saturating_mul(2)).max(4);
        let layout = Layout::array::<T>(cap).map_err(|_| ())?;
        if self.cap != 0 && layout.align() <= MALLOC_ALIGN {
            // In place where the allocator can: a large table (a million timers' heap)
            // is remapped rather than copied, and its pages are not faulted in twice.
            // SAFETY: the block came from `alloc_layout` with an alignment malloc gives,
            // i.e. from `malloc` itself; values of any Rust type may move bytewise.
            let p = unsafe { realloc(self.p.as_ptr().cast(), layout.size()) }.cast::<T>();
            self.p = NonNull::new(p).ok_or(())?;
            self.cap = cap;
            return Ok(());
        }
        let p = alloc_layout(layout).cast::<T>();
        let p = NonNull::new(p).ok_or(())?;
        // SAFETY: the old block holds `len` values, the new one has room for `cap >= len`;
        // the values are moved (the old block is freed without dropping them).
        unsafe {
            ptr::copy_nonoverlapping(self.p.as_ptr(), p.as_ptr(), self.len);
            if self.cap != 0 {
                let old = Layout::array::<T>(self.cap).map_err(|_| ())?;
                free_layout(self.p.as_ptr().cast(), old);
            }
        }
        self.p = p;
        self.cap = cap;
        Ok(())
    }

    /// Room for `extra` more, aborting when out of memory (as `Vec`).
    pub(crate) fn reserve(&mut self, extra: usize) {
        if self.try_reserve(extra).is_err() {
            let n = self.len.saturating_add(extra);
            std::alloc::handle_alloc_error(Layout::array::<T>(n).unwrap_or(Layout::new::<T>()));
        }
    }

    pub(crate) fn push(&mut self, v: T) {
        if self.len == self.cap {
            self.reserve(1);
        }
        // SAFETY: `len < cap`: the slot is inside the block and holds no value.
        unsafe { self.p.as_ptr().add(self.len).write(v) };
        self.len += 1;
    }

    pub(crate) fn pop(&mut self) -> Option<T> {
        if self.len == 0 {
            return None;
        }
        self.len -= 1;
        // SAFETY: slot `len` held a value, which is moved out and no longer counted.
        Some(unsafe { self.p.as_ptr().add(self.len).read() })
    }

    /// Drops the values from `n` on.
    pub(crate) fn truncate(&mut self, n: usize) {
        while self.len > n {
            drop(self.pop());
        }
    }

    pub(crate) fn clear(&mut self) {
        self.truncate(0);
    }

    /// Removes the value at `i`, shifting the ones after it down.
    pub(crate) fn remove(&mut self, i: usize) -> T {
        assert!(i < self.len, "UvVec::remove out of bounds");
        // SAFETY: `i < len`: the value is moved out, then the tail is moved down one slot
        // over it, inside the block.
        unsafe {
            let at = self.p.as_ptr().add(i);
            let v = at.read();
            ptr::copy(at.add(1), at, self.len - i - 1);
            self.len -= 1;
            v
        }
    }

    /// Grows to `n` values made by `f`, or truncates to `n`.
    pub(crate) fn resize_with(&mut self, n: usize, mut f: impl FnMut() -> T) {
        if n > self.len {
            self.reserve(n - self.len);
            while self.len < n {
                self.push(f());
            }
        } else {
            self.truncate(n);
        }
    }

    /// Sets the length, for slots a system call filled.
    ///
    /// # Safety
    /// `n <= capacity`, and the first `n` slots hold initialised values.
    pub(crate) unsafe fn set_len(&mut self, n: usize) {
        debug_assert!(n <= self.cap);
        self.len = n;
    }

    /// The start of the block (for a system call to fill up to `capacity`).
    pub(crate) fn as_mut_ptr(&mut self) -> *mut T {
        self.p.as_ptr()
    }
}

impl<T> Extend<T> for UvVec<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, it: I) {
        let it = it.into_iter();
        self.reserve(it.size_hint().0);
        for v in it {
            self.push(v);
        }
    }
}

impl<'a, T> IntoIterator for &'a UvVec<T> {
    type Item = &'a T;
    type IntoIter = core::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'a, T> IntoIterator for &'a mut UvVec<T> {
    type Item = &'a mut T;
    type IntoIter = core::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<T> Drop for UvVec<T> {
    fn drop(&mut self) {
        self.clear();
        if self.cap != 0 && size_of::<T>() != 0 {
            // SAFETY: the block came from `alloc_layout` with this array layout.
            unsafe {
                free_layout(
                    self.p.as_ptr().cast(),
                    Layout::array::<T>(self.cap).expect("allocated before"),
                )
            };
        }
    }
}

impl<T> Deref for UvVec<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        // SAFETY: the first `len` slots hold values (or `p` is dangling and `len` 0).
        unsafe { core::slice::from_raw_parts(self.p.as_ptr(), self.len) }
    }
}

impl<T> DerefMut for UvVec<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        // SAFETY: as in `deref`, borrowed exclusively.
        unsafe { core::slice::from_raw_parts_mut(self.p.as_ptr(), self.len) }
    }
}

// SAFETY: a `UvVec<T>` owns its values as `Vec<T>` does.
unsafe impl<T: Send> Send for UvVec<T> {}
// SAFETY: as above.
unsafe impl<T: Sync> Sync for UvVec<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[repr(align(64))]
    struct Wide(u8);

    #[test]
    fn large_alignments_are_honoured() {
        let boxes: Vec<UvBox<Wide>> = (0..32).map(|i| UvBox::new(Wide(i))).collect();
        for (i, b) in boxes.iter().enumerate() {
            assert_eq!((&raw const **b) as usize % 64, 0);
            assert_eq!(b.0 as usize, i);
        }
        let mut v: UvVec<Wide> = UvVec::new();
        for i in 0..100 {
            v.push(Wide(i));
        }
        assert_eq!(v.as_ptr() as usize % 64, 0);
        assert!(v.iter().enumerate().all(|(i, w)| w.0 as usize == i));
    }

    #[test]
    fn vec_operations_keep_values_and_drop_them_once() {
        use std::rc::Rc;
        let tag = Rc::new(());
        let mut v = UvVec::with_capacity(2);
        for _ in 0..10 {
            v.push(Rc::clone(&tag));
        }
        assert_eq!(Rc::strong_count(&tag), 11);
        drop(v.remove(3));
        v.truncate(5);
        assert_eq!(Rc::strong_count(&tag), 6);
        drop(v);
        assert_eq!(Rc::strong_count(&tag), 1);

        let mut n: UvVec<u32> = UvVec::new();
        for i in 0..10 {
            n.push(i);
        }
        assert_eq!(n.remove(0), 0);
        assert_eq!(n.pop(), Some(9));
        n.resize_with(10, || 42);
        assert_eq!(&n[..], &[1, 2, 3, 4, 5, 6, 7, 8, 42, 42]);
        n.resize_with(2, || 0);
        assert_eq!(&n[..], &[1, 2]);
    }

    #[test]
    fn slices_and_trait_objects() {
        let s = UvBox::try_copy_of(&[1u8, 2, 3]).unwrap();
        assert_eq!(&*s, &[1, 2, 3]);
        let e: UvBox<[u64]> = UvBox::try_copy_of(&[]).unwrap();
        assert!(e.is_empty());
        let d: UvBox<dyn Fn() -> u32> = UvBox::unsize(UvBox::new(|| 7u32), |p| p as *mut _);
        assert_eq!(d(), 7);
    }
}
