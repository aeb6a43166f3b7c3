//! Reading an index that sits on read-only storage (an archive on a read-only mount,
//! a snapshot). tantivy takes a lock file even to read, to keep files from being
//! deleted under it; where no file can be created, nothing can delete files either,
//! so the lock is safely skipped. Used only to open an index for searching.
//!
//! A reader that goes through every stored article (an export) reads the document
//! stores with `pread` instead of mapping them: a map keeps every page it touched in
//! the process's resident memory, so reading a 4.5 GB index whole took the export's
//! RSS to 3.3 GB; read into buffers, the pages stay in the page cache only.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

#[derive(Clone, Debug)]
pub struct ReadTolerant(MmapDirectory, Option<PathBuf>);

impl ReadTolerant {
    pub fn open(path: &Path) -> tantivy::Result<ReadTolerant> {
        Ok(ReadTolerant(MmapDirectory::open(path)?, None))
    }

    /// The same, reading the document stores (`.store` files) with `pread` rather
    /// than through a memory map.
    pub fn open_stores_unmapped(path: &Path) -> tantivy::Result<ReadTolerant> {
        Ok(ReadTolerant(
            MmapDirectory::open(path)?,
            Some(path.to_path_buf()),
        ))
    }
}

/// A file read with `pread`, one buffer per read.
#[derive(Debug)]
struct ReadFile {
    file: std::fs::File,
    len: usize,
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
        use std::os::unix::fs::FileExt;
        let end = range.end.min(self.len);
        let mut buf = vec![0u8; end.saturating_sub(range.start)];
        self.file.read_exact_at(&mut buf, range.start as u64)?;
        Ok(tantivy::directory::OwnedBytes::new(buf))
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
        if let Some(root) = self
            .1
            .as_ref()
            .filter(|_| path.extension().is_some_and(|e| e == "store"))
        {
            let full = root.join(path);
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
            return Ok(Arc::new(ReadFile { file, len }));
        }
        self.0.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.0.delete(path)
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> io::Result<()> {
        self.0.atomic_write(path, data)
    }
    fn sync_directory(&self) -> io::Result<()> {
        self.0.sync_directory()
    }
    fn watch(&self, cb: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(cb)
    }
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.0.acquire_lock(lock) {
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
