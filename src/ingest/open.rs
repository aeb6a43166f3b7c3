//! Opening an article file so that nothing can block the run, and reading it so that
//! a stop request (Ctrl-C) is heard within one buffer.
//!
//! The walk keeps only regular files, but a file can be replaced between the walk and
//! the read: by a FIFO (opening one for reading waits for a writer, forever), a
//! socket, or a device (`/dev/zero` never ends). So every open for reading goes
//! through [`open_regular`]: opened non-blocking, checked with `fstat` on the open
//! descriptor (not the path, which could change again), and refused unless it is a
//! regular file.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The message of the error [`open_regular`] returns for a FIFO, socket or device.
const NOT_REGULAR: &str = "not a regular file";

/// Opens a file for reading if it is a regular file. A FIFO, socket or device is
/// refused at once (an error whose text starts "not a regular file"), never waited on.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{NOT_REGULAR} ({})", kind_of(&meta)),
        ));
    }
    make_blocking(&file)?;
    Ok(file)
}

/// Whether an error is [`open_regular`]'s refusal of a special file.
pub fn is_not_regular(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::InvalidInput && e.to_string().starts_with(NOT_REGULAR)
}

#[cfg(unix)]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_nonblocking(path: &Path) -> io::Result<File> {
    File::open(path)
}

/// Regular files ignore O_NONBLOCK today, but clear it so reads keep their usual
/// meaning everywhere.
#[cfg(unix)]
fn make_blocking(file: &File) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function's caller owns; F_GETFL/F_SETFL only
    // read and set its status flags.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn make_blocking(_: &File) -> io::Result<()> {
    Ok(())
}

fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    if meta.is_dir() {
        "a folder"
    } else {
        "a special file"
    }
}

/// The first [`SNIFF_LEN`](super::decode::SNIFF_LEN) bytes of a regular file.
pub fn read_head(path: &Path) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(super::decode::SNIFF_LEN);
    open_regular(path)?
        .take(super::decode::SNIFF_LEN as u64)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// The message of the error a [`StopReader`] returns once stopped.
pub const STOPPED: &str = "ingest stopped";

/// Passes reads through until a stop flag is set, then fails every read, so a parser
/// in the middle of a huge file or record gives up within one buffer.
pub struct StopReader<R> {
    inner: R,
    stop: Arc<AtomicBool>,
}

impl<R> StopReader<R> {
    pub fn new(inner: R, stop: Arc<AtomicBool>) -> Self {
        StopReader { inner, stop }
    }
}

impl<R: Read> Read for StopReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            // Not `Interrupted`: readers retry on that.
            return Err(io::Error::other(STOPPED));
        }
        self.inner.read(buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn special_files_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("f.txt");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let e = open_regular(&fifo).unwrap_err();
        assert!(is_not_regular(&e), "{e}");
        assert_eq!(e.to_string(), "not a regular file (a FIFO)");
        let e = open_regular(Path::new("/dev/zero")).unwrap_err();
        assert_eq!(e.to_string(), "not a regular file (a device)");
        let e = open_regular(dir.path()).unwrap_err();
        assert!(is_not_regular(&e), "{e}");
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "text").unwrap();
        let mut s = String::new();
        open_regular(&file).unwrap().read_to_string(&mut s).unwrap();
        assert_eq!(s, "text");
        assert_eq!(read_head(&file).unwrap(), b"text");
    }

    #[test]
    fn stop_reader_fails_once_stopped() {
        let stop = Arc::new(AtomicBool::new(false));
        let data = [1u8; 10];
        let mut r = StopReader::new(&data[..], stop.clone());
        let mut buf = [0u8; 4];
        assert_eq!(r.read(&mut buf).unwrap(), 4);
        stop.store(true, Ordering::Relaxed);
        assert_eq!(r.read(&mut buf).unwrap_err().to_string(), STOPPED);
    }
}
