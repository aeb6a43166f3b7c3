//! Reading an index that sits on read-only storage (an archive on a read-only mount,
//! a snapshot). tantivy takes a lock file even to read, to keep files from being
//! deleted under it; where no file can be created, nothing can delete files either,
//! so the lock is safely skipped. Used only to open an index for searching.
//!
//! A reader that goes through every stored article (an export) reads the document
//! stores with `pread` instead of mapping them: a map keeps every page it touched in
//! the process's resident memory, so reading a 4.5 GB index whole took the export's
//! RSS to 3.3 GB; read into buffers, the pages stay in the page cache only. An ingest
//! reads every file so ([`Unmapped::All`]): its merges read their input segments
//! whole, and mapped, each merge's input stayed in its resident memory.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

#[derive(Clone, Debug)]
pub struct ReadTolerant {
    dir: MmapDirectory,
    root: PathBuf,
    unmapped: Unmapped,
}

/// Which files are read with `pread` rather than through a memory map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unmapped {
    /// None: searches read the same few pages again and again.
    None,
    /// The document stores (`.store` files): a scan of every stored article.
    Stores,
    /// Every file: an ingest, whose merges read their input once.
    All,
}

impl ReadTolerant {
    pub fn open(path: &Path) -> tantivy::Result<ReadTolerant> {
        ReadTolerant::open_with(path, Unmapped::None)
    }

    pub fn open_with(path: &Path, unmapped: Unmapped) -> tantivy::Result<ReadTolerant> {
        Ok(ReadTolerant {
            dir: MmapDirectory::open(path)?,
            root: path.to_path_buf(),
            unmapped,
        })
    }

    fn reads_unmapped(&self, path: &Path) -> bool {
        match self.unmapped {
            Unmapped::None => false,
            Unmapped::Stores => path.extension().is_some_and(|e| e == "store"),
            Unmapped::All => true,
        }
    }
}

/// A file read with `pread`. A read that starts where the last one ended (a merge
/// reads each file in order, one term's postings after another's) reads a whole
/// window ahead, and the reads after it are slices of that window; any other read
/// reads what it asks for. One `pread` per term, or a new buffer per window (see
/// [`Buffer`]), had cost a 1M ingest about a tenth more CPU than the map.
#[derive(Debug)]
struct ReadFile {
    file: std::fs::File,
    len: usize,
    window: std::sync::Mutex<Window>,
    spare: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

/// The last window read ahead, and where the last read ended.
#[derive(Debug)]
struct Window {
    start: usize,
    bytes: tantivy::directory::OwnedBytes,
    next: usize,
}

/// A window's buffer, back to its file's spare one once tantivy drops the last slice
/// of it: a new buffer for every window had the kernel hand out and zero fresh pages
/// (the allocator returns freed memory), a page fault per 4 kB read.
struct Buffer {
    bytes: Vec<u8>,
    spare: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl std::ops::Deref for Buffer {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.bytes
    }
}

// SAFETY: the bytes are a `Vec`'s heap buffer, which does not move when the `Buffer`
// does, and is not changed while it is borrowed.
unsafe impl stable_deref_trait::StableDeref for Buffer {}

impl Drop for Buffer {
    fn drop(&mut self) {
        let bytes = std::mem::take(&mut self.bytes);
        let mut spare = self.spare.lock().unwrap_or_else(|e| e.into_inner());
        if spare.capacity() < bytes.capacity() {
            *spare = bytes;
        }
    }
}

/// How much a read in order reads ahead.
const WINDOW: usize = 1 << 20;

impl ReadFile {
    fn new(file: std::fs::File, len: usize) -> ReadFile {
        ReadFile {
            file,
            len,
            window: std::sync::Mutex::new(Window {
                start: 0,
                bytes: tantivy::directory::OwnedBytes::empty(),
                next: usize::MAX,
            }),
            spare: Default::default(),
        }
    }

    fn pread(&self, start: usize, end: usize) -> io::Result<tantivy::directory::OwnedBytes> {
        use std::os::unix::fs::FileExt;
        let mut buf = vec![0u8; end.saturating_sub(start)];
        self.file.read_exact_at(&mut buf, start as u64)?;
        Ok(tantivy::directory::OwnedBytes::new(buf))
    }

    /// Reads `start..end` into the spare buffer, if there is one.
    fn pread_window(&self, start: usize, end: usize) -> io::Result<tantivy::directory::OwnedBytes> {
        use std::os::unix::fs::FileExt;
        let mut bytes = std::mem::take(&mut *self.spare.lock().unwrap_or_else(|e| e.into_inner()));
        bytes.resize(end - start, 0);
        self.file.read_exact_at(&mut bytes, start as u64)?;
        Ok(tantivy::directory::OwnedBytes::new(Buffer {
            bytes,
            spare: self.spare.clone(),
        }))
    }
}

impl tantivy::HasLen for ReadFile {
    fn len(&self) -> usize {
        self.len
    }
}

impl FileHandle for ReadFile {
    fn read_bytes(
        &self,
        range: std::ops::Range<usize>,
    ) -> io::Result<tantivy::directory::OwnedBytes> {
        let end = range.end.min(self.len);
        let start = range.start.min(end);
        let in_order = {
            let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
            if start >= w.start && end <= w.start + w.bytes.len() {
                w.next = end;
                return Ok(w.bytes.slice(start - w.start..end - w.start));
            }
            let in_order = start == w.next && end - start < WINDOW;
            w.next = end;
            if in_order {
                // Its buffer can be read into again once tantivy holds no slice of it.
                w.bytes = tantivy::directory::OwnedBytes::empty();
                w.start = 0;
            }
            in_order
        };
        if !in_order {
            return self.pread(start, end);
        }
        let bytes = self.pread_window(start, (start + WINDOW).min(self.len))?;
        let out = bytes.slice(0..end - start);
        let mut w = self.window.lock().unwrap_or_else(|e| e.into_inner());
        *w = Window {
            start,
            bytes,
            next: end,
        };
        Ok(out)
    }
}

fn cannot_create(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ReadOnlyFilesystem | io::ErrorKind::PermissionDenied
    )
}

impl Directory for ReadTolerant {
    fn get_file_handle(&self, path: &Path) -> Result<Arc<dyn FileHandle>, OpenReadError> {
        if self.reads_unmapped(path) {
            let full = self.root.join(path);
            let file = std::fs::File::open(&full).map_err(|e| {
                if e.kind() == io::ErrorKind::NotFound {
                    OpenReadError::FileDoesNotExist(path.to_path_buf())
                } else {
                    OpenReadError::wrap_io_error(e, path.to_path_buf())
                }
            })?;
            let len = file
                .metadata()
                .map_err(|e| OpenReadError::wrap_io_error(e, path.to_path_buf()))?
                .len() as usize;
            return Ok(Arc::new(ReadFile::new(file, len)));
        }
        self.dir.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.dir.delete(path)
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.dir.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.dir.open_write(path)
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.dir.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.dir.atomic_write(path, data)
    }
    fn sync_directory(&self) -> io::Result<()> {
        self.dir.sync_directory()
    }
    fn watch(&self, cb: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.dir.watch(cb)
    }
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.dir.acquire_lock(lock) {
            // Only the readers' lock: the single-writer lock is always enforced.
            Err(LockError::IoError(e))
                if cannot_create(&e) && lock.filepath == Path::new(".tantivy-meta.lock") =>
            {
                Ok(DirectoryLock::from(Box::new(PathBuf::from(&lock.filepath))))
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads in order (one after another, as a merge reads), across windows, and out of
    /// order, each compared with the file's bytes.
    #[test]
    fn an_unmapped_file_reads_its_bytes_in_and_out_of_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("seg.idx");
        let len = 2 * WINDOW + 12_345;
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let data: Vec<u8> = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect();
        std::fs::write(&path, &data).unwrap();
        let f = ReadFile::new(std::fs::File::open(&path).unwrap(), len);
        let check = |start: usize, end: usize| {
            let got = f.read_bytes(start..end).unwrap();
            assert_eq!(got.as_slice(), &data[start..end.min(len)], "{start}..{end}");
        };
        // In order: small reads, a window's worth at once, reads that cross a window's
        // end, and the last one past the end of the file.
        let mut at = 0;
        // A slice kept while later windows are read: its buffer is not read into again.
        let kept = f.read_bytes(0..1_000).unwrap();
        at += 1_000;
        for (i, step) in (1..).map(|i| (i * 7_919) % 70_001 + 1).enumerate() {
            let step = if i == 20 { WINDOW } else { step };
            if at + step > len {
                break;
            }
            check(at, at + step);
            at += step;
        }
        assert!(at > WINDOW + 500_000, "{at}");
        assert_eq!(kept.as_slice(), &data[..1_000]);
        check(at, len + 100);
        // Out of order, and back into a window read before.
        check(len - 10, len);
        check(5, 9);
        check(WINDOW - 3, WINDOW + 3);
        check(0, len);
        check(len, len);
    }
}
