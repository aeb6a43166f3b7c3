//! A damaged index can end the process outright, not only make it panic: tantivy and
//! the search code read sizes from the index's files and allocate by them (an absurd
//! size aborts the process), and a file cut short under a memory map raises SIGBUS. A
//! command that reads an index therefore runs in a child process, forked at start-up
//! while the program is still single-threaded; the parent waits, passes signals sent
//! to it on, and if the child dies of such a crash, checks the index and says in one
//! line whether it is damaged. The parent costs a fork (well under a millisecond).
//!
//! In the child, an allocation larger than the machine's memory — never a real need,
//! always a size read from damaged data — aborts at once and silently instead of
//! printing the runtime's message, so the parent's line is the only one.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};

/// The global allocator: mimalloc, with the size bound above.
pub struct Bounded;

static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);

#[inline]
fn check(size: usize) {
    if size > LIMIT.load(Ordering::Relaxed) {
        // No unwinding from an allocator, and no message: the parent reports.
        std::process::abort();
    }
}

// SAFETY: every call is passed on unchanged to mimalloc, which upholds GlobalAlloc's
// contract; `check` only reads an atomic and may abort, which is allowed.
unsafe impl GlobalAlloc for Bounded {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { mimalloc::MiMalloc.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        check(layout.size());
        unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        check(new_size);
        unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
    }
}

/// How the child ended.
pub enum Ended {
    /// It exited with this code.
    Exited(u8),
    /// It was ended by a signal sent to it (Ctrl-C, kill): exit with 128 + signal.
    Stopped(i32),
    /// It crashed (abort, SIGSEGV, SIGBUS, …) with this signal.
    Crashed(i32),
}

static CHILD: AtomicI32 = AtomicI32::new(0);

/// Forks. In the child, returns `None` and the caller runs the command. In the parent,
/// waits for the child and returns how it ended. Where forking is not possible the
/// command runs in this process (`None`).
#[cfg(target_os = "linux")]
pub fn run_in_child() -> Option<Ended> {
    // SAFETY: called first thing in main, while the process has one thread, so the
    // child is a complete copy; the calls are plain libc calls with valid arguments.
    unsafe {
        let parent = libc::getpid();
        let pid = libc::fork();
        if pid < 0 {
            return None;
        }
        if pid == 0 {
            // The child dies with its parent (a kill -9 of the command ends both).
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            if libc::getppid() != parent {
                libc::_exit(137);
            }
            LIMIT.store(physical_memory(), Ordering::Relaxed);
            return None;
        }
        CHILD.store(pid, Ordering::SeqCst);
        for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP, libc::SIGQUIT] {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = forward as *const () as usize;
            sa.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
            libc::sigemptyset(&mut sa.sa_mask);
            libc::sigaction(sig, &sa, std::ptr::null_mut());
        }
        let mut status = 0;
        loop {
            let r = libc::waitpid(pid, &mut status, 0);
            if r == pid {
                break;
            }
            if r < 0 && std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                return Some(Ended::Exited(2));
            }
        }
        if libc::WIFEXITED(status) {
            return Some(Ended::Exited(libc::WEXITSTATUS(status) as u8));
        }
        let sig = libc::WTERMSIG(status);
        Some(
            if [
                libc::SIGINT,
                libc::SIGTERM,
                libc::SIGHUP,
                libc::SIGKILL,
                libc::SIGPIPE,
                libc::SIGQUIT,
            ]
            .contains(&sig)
            {
                Ended::Stopped(sig)
            } else {
                Ended::Crashed(sig)
            },
        )
    }
}

#[cfg(not(target_os = "linux"))]
pub fn run_in_child() -> Option<Ended> {
    None
}

/// Passes a signal sent to the parent by another process (`kill`) on to the child. A
/// Ctrl-C typed at a terminal reaches both already, and is not passed on twice.
#[cfg(target_os = "linux")]
extern "C" fn forward(sig: libc::c_int, info: *mut libc::siginfo_t, _: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo; kill is async-signal-safe.
    unsafe {
        let from_process = !info.is_null() && (*info).si_code <= 0;
        if from_process {
            libc::kill(CHILD.load(Ordering::SeqCst), sig);
        }
    }
}

#[cfg(target_os = "linux")]
fn physical_memory() -> usize {
    // SAFETY: sysconf only reads its argument.
    let (pages, size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    if pages <= 0 || size <= 0 {
        return usize::MAX;
    }
    (pages as usize).saturating_mul(size as usize)
}
