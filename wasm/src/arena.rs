//! The heap of the `authcore/inspect` module: one bump region, handed out in order and started
//! over whenever nothing in it is allocated. Each call of the module allocates a few buffers and
//! strings, frees them all but its record, and the record is dropped when the next call begins, so
//! every call starts on an empty region: an allocation is an addition, a free a subtraction.
//!
//! [`Bump`] is the bookkeeping, in addresses, safe and tested on the host; [`Arena`] is the
//! global allocator over it, on WebAssembly only.

/// A WebAssembly page, the unit the memory grows by.
pub const PAGE: usize = 64 * 1024;

/// The region's bounds and fill, as addresses.
#[derive(Debug, Default)]
pub struct Bump {
    /// Where the region starts, and where it starts over.
    start: usize,
    /// The first free byte.
    next: usize,
    /// The end of the memory the region owns.
    end: usize,
    /// Allocations not freed yet.
    live: usize,
}

impl Bump {
    /// An empty region, which takes its memory from `grow` at its first allocation.
    pub const fn new() -> Self {
        Self {
            start: 0,
            next: 0,
            end: 0,
            live: 0,
        }
    }

    /// The address of `size` new bytes aligned to `align` (a power of two), or `None` when the
    /// memory cannot grow. `grow(pages)` adds `pages` pages and answers the old page count, as
    /// `memory.grow` does.
    pub fn alloc(
        &mut self,
        size: usize,
        align: usize,
        grow: impl FnOnce(usize) -> Option<usize>,
    ) -> Option<usize> {
        let mut at = self.next.checked_next_multiple_of(align)?;
        if at.checked_add(size)? > self.end {
            let pages = size.checked_add(align)?.div_ceil(PAGE);
            let old = grow(pages)?.checked_mul(PAGE)?;
            if old != self.end {
                // Someone else grew the memory: the region moves to the new pages, and what
                // was allocated below stays where it is, never reused.
                self.start = old;
                at = old.checked_next_multiple_of(align)?;
            }
            self.end = old + pages * PAGE;
        }
        self.next = at + size;
        self.live += 1;
        Some(at)
    }

    /// Frees the `size` bytes at `at`: the region starts over when nothing is left, and the last
    /// allocation gives its bytes back.
    pub fn dealloc(&mut self, at: usize, size: usize) {
        self.live = self.live.saturating_sub(1);
        if self.live == 0 {
            self.next = self.start;
        } else if at + size == self.next {
            self.next = at;
        }
    }

    /// Resizes the allocation at `at` from `old` to `new` bytes where it is, when it is the last
    /// one and the region has room; false when it has to move.
    pub fn resize_in_place(&mut self, at: usize, old: usize, new: usize) -> bool {
        let last = at + old == self.next;
        let fits = at.checked_add(new).is_some_and(|end| end <= self.end);
        if last && fits {
            self.next = at + new;
        }
        last && fits
    }
}

/// The global allocator over a [`Bump`] that grows the module's memory.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
pub use global::Arena;

#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[allow(unsafe_code)]
mod global {
    use std::alloc::{GlobalAlloc, Layout};
    use std::cell::RefCell;

    use super::Bump;

    /// [`Bump`] as the global allocator of a single-threaded module.
    #[derive(Default)]
    pub struct Arena(RefCell<Bump>);

    impl Arena {
        /// An empty arena.
        pub const fn new() -> Self {
            Self(RefCell::new(Bump::new()))
        }
    }

    // SAFETY: built without atomics, the module has one thread.
    unsafe impl Sync for Arena {}

    fn grow(pages: usize) -> Option<usize> {
        let old = core::arch::wasm32::memory_grow::<0>(pages);
        (old != usize::MAX).then_some(old)
    }

    // SAFETY: each address `Bump` hands out is in memory the module grew for it, aligned, and
    // not handed out again until it is freed or the whole region is (nothing live).
    unsafe impl GlobalAlloc for Arena {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let Ok(mut bump) = self.0.try_borrow_mut() else {
                return core::ptr::null_mut();
            };
            bump.alloc(layout.size(), layout.align(), grow)
                .map_or(core::ptr::null_mut(), |at| at as *mut u8)
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            if let Ok(mut bump) = self.0.try_borrow_mut() {
                bump.dealloc(ptr as usize, layout.size());
            }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let in_place = self
                .0
                .try_borrow_mut()
                .is_ok_and(|mut bump| bump.resize_in_place(ptr as usize, layout.size(), new_size));
            if in_place {
                return ptr;
            }
            let Ok(new_layout) = Layout::from_size_align(new_size, layout.align()) else {
                return core::ptr::null_mut();
            };
            // SAFETY: as for `alloc`; the old block stays valid until it is freed below.
            let new = unsafe { self.alloc(new_layout) };
            if !new.is_null() {
                // SAFETY: both blocks are live and distinct, the copy no longer than either.
                unsafe {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
            }
            new
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A memory of `pages` pages that grows on demand, as `memory.grow` would.
    fn memory(pages: &mut usize) -> impl FnOnce(usize) -> Option<usize> + '_ {
        |n| {
            let old = *pages;
            *pages += n;
            Some(old)
        }
    }

    #[test]
    fn allocations_follow_each_other_aligned_and_start_over_when_all_are_freed() {
        let mut pages = 3;
        let mut bump = Bump::new();
        let a = bump.alloc(5, 1, memory(&mut pages)).unwrap();
        assert_eq!(a, 3 * PAGE, "the region starts on the pages it grew");
        let b = bump.alloc(8, 8, memory(&mut pages)).unwrap();
        assert_eq!(b, a + 8);
        let c = bump.alloc(1, 1, memory(&mut pages)).unwrap();
        assert_eq!(c, b + 8);
        assert_eq!(pages, 4, "one page was enough");

        // The last allocation gives its bytes back; an earlier one cannot, until all are freed.
        bump.dealloc(c, 1);
        assert_eq!(bump.alloc(1, 1, memory(&mut pages)), Some(c));
        bump.dealloc(a, 5);
        assert_eq!(bump.alloc(1, 1, memory(&mut pages)), Some(c + 1));
        bump.dealloc(b, 8);
        bump.dealloc(c, 1);
        bump.dealloc(c + 1, 1);
        assert_eq!(bump.alloc(2, 2, memory(&mut pages)), Some(a));
    }

    #[test]
    fn the_last_allocation_grows_in_place_and_others_move() {
        let mut pages = 2;
        let mut bump = Bump::new();
        let a = bump.alloc(4, 4, memory(&mut pages)).unwrap();
        assert!(bump.resize_in_place(a, 4, 100));
        let b = bump.alloc(4, 4, memory(&mut pages)).unwrap();
        assert_eq!(b, a + 100);
        assert!(
            !bump.resize_in_place(a, 100, 200),
            "a is no longer the last"
        );
        assert!(!bump.resize_in_place(b, 4, PAGE), "past the region's end");
        assert!(bump.resize_in_place(b, 4, 2), "shrinking the last");
        assert_eq!(bump.alloc(1, 1, memory(&mut pages)), Some(b + 2));
    }

    #[test]
    fn the_memory_grows_by_what_is_asked_and_a_foreign_growth_moves_the_region() {
        let mut pages = 1;
        let mut bump = Bump::new();
        let a = bump.alloc(3 * PAGE, 16, memory(&mut pages)).unwrap();
        assert_eq!((a, pages), (PAGE, 5));
        let b = bump.alloc(PAGE, 1, memory(&mut pages)).unwrap();
        assert_eq!((b, pages), (4 * PAGE, 5), "the alignment's page had room");

        // Another party grew the memory in between: the region moves past its pages, and the
        // blocks below are never reused.
        pages += 2;
        let c = bump.alloc(2 * PAGE, 1, memory(&mut pages)).unwrap();
        assert_eq!((c, pages), (7 * PAGE, 10));
        for (at, size) in [(a, 3 * PAGE), (b, PAGE), (c, 2 * PAGE)] {
            bump.dealloc(at, size);
        }
        assert_eq!(bump.alloc(1, 1, memory(&mut pages)), Some(7 * PAGE));

        // Memory that cannot grow: no address.
        assert_eq!(bump.alloc(10 * PAGE, 1, |_| None), None);
        assert_eq!(bump.alloc(usize::MAX, 1, memory(&mut pages)), None);
    }
}
