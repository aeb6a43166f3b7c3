//! Reading an index that sits on read-only storage (an archive on a read-only mount,
//! a snapshot). tantivy takes a lock file even to read, to keep files from being
//! deleted under it; where no file can be created, nothing can delete files either,
//! so the lock is safely skipped. Used only to open an index for searching.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle, WritePtr,
};

#[derive(Clone, Debug)]
pub struct ReadTolerant(MmapDirectory);

impl ReadTolerant {
    pub fn open(path: &Path) -> tantivy::Result<ReadTolerant> {
        Ok(ReadTolerant(MmapDirectory::open(path)?))
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
