/*
 * An LD_PRELOAD library that injects I/O errors at the OS level, so the tests can show
 * what the real binary does when a disk or a network mount fails under it.
 *
 *   NEWSIDX_FAULT_EIO_PATH=<substring>  NEWSIDX_FAULT_EIO_AFTER=<bytes>
 *     read, pread and readv (and their 64/v variants) on a descriptor opened with a
 *     path containing the substring return that many bytes in all, then fail with EIO.
 *   NEWSIDX_FAULT_ENOSPC_PATH=<substring>  NEWSIDX_FAULT_ENOSPC_AFTER=<bytes>
 *     write, pwrite and writev on such descriptors fail with ENOSPC once the process
 *     has written that many bytes in all to files matching the substring (the write
 *     that crosses the limit is cut short, as a filling disk does).
 *
 * Descriptors are followed from open/openat/creat/fopen (and the 64 variants) through
 * dup/dup2/dup3/fcntl(F_DUPFD) to close/fclose. The path matched is the one passed to
 * open, so a relative name matches only what it spells. Built by tests/util/shim.rs.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FD 65536

/* Per descriptor: which faults apply, and for EIO the bytes it has returned so far. */
static _Atomic unsigned char eio_fd[MAX_FD];
static _Atomic unsigned char enospc_fd[MAX_FD];
static _Atomic long long read_so_far[MAX_FD];
/* Bytes written by the whole process to ENOSPC-matching files. */
static _Atomic long long written_so_far;

static const char *env_str(const char *name) {
    const char *v = getenv(name);
    return (v && *v) ? v : NULL;
}

static long long env_num(const char *name) {
    const char *v = getenv(name);
    return v ? atoll(v) : 0;
}

#define REAL(ret, name, ...)                                                        \
    static ret (*real_##name)(__VA_ARGS__);                                         \
    if (!real_##name)                                                               \
        real_##name = (ret(*)(__VA_ARGS__))dlsym(RTLD_NEXT, #name);

static void track(int fd, const char *path) {
    if (fd < 0 || fd >= MAX_FD)
        return;
    const char *eio = env_str("NEWSIDX_FAULT_EIO_PATH");
    const char *nospc = env_str("NEWSIDX_FAULT_ENOSPC_PATH");
    atomic_store(&eio_fd[fd], path && eio && strstr(path, eio) ? 1 : 0);
    atomic_store(&enospc_fd[fd], path && nospc && strstr(path, nospc) ? 1 : 0);
    atomic_store(&read_so_far[fd], 0);
}

static void untrack(int fd) {
    if (fd < 0 || fd >= MAX_FD)
        return;
    atomic_store(&eio_fd[fd], 0);
    atomic_store(&enospc_fd[fd], 0);
    atomic_store(&read_so_far[fd], 0);
}

static void copy_track(int from, int to) {
    if (from < 0 || from >= MAX_FD || to < 0 || to >= MAX_FD)
        return;
    atomic_store(&eio_fd[to], atomic_load(&eio_fd[from]));
    atomic_store(&enospc_fd[to], atomic_load(&enospc_fd[from]));
    atomic_store(&read_so_far[to], atomic_load(&read_so_far[from]));
}

/* How many of `want` bytes a read on fd may return; -1 = fail with EIO now. */
static long long read_allowance(int fd, size_t want) {
    if (fd < 0 || fd >= MAX_FD || !atomic_load(&eio_fd[fd]))
        return (long long)want;
    long long left = env_num("NEWSIDX_FAULT_EIO_AFTER") - atomic_load(&read_so_far[fd]);
    if (left <= 0)
        return want == 0 ? 0 : -1;
    return (long long)want < left ? (long long)want : left;
}

static void count_read(int fd, ssize_t n) {
    if (n > 0 && fd >= 0 && fd < MAX_FD && atomic_load(&eio_fd[fd]))
        atomic_fetch_add(&read_so_far[fd], n);
}

/* How many of `want` bytes a write on fd may take; -1 = fail with ENOSPC now. The
 * allowance is reserved here and the unused part given back by write_done. */
static long long write_allowance(int fd, size_t want) {
    if (fd < 0 || fd >= MAX_FD || !atomic_load(&enospc_fd[fd]))
        return (long long)want;
    long long limit = env_num("NEWSIDX_FAULT_ENOSPC_AFTER");
    long long before = atomic_fetch_add(&written_so_far, (long long)want);
    long long left = limit - before;
    if (left <= 0) {
        atomic_fetch_sub(&written_so_far, (long long)want);
        return want == 0 ? 0 : -1;
    }
    long long allowed = (long long)want < left ? (long long)want : left;
    atomic_fetch_sub(&written_so_far, (long long)want - allowed);
    return allowed;
}

static void write_done(int fd, long long allowed, ssize_t n) {
    if (fd < 0 || fd >= MAX_FD || !atomic_load(&enospc_fd[fd]))
        return;
    long long used = n > 0 ? n : 0;
    if (allowed > used)
        atomic_fetch_sub(&written_so_far, allowed - used);
}

/* ---- opening ---- */

static mode_t mode_arg(int flags, va_list ap) {
    if (flags & (O_CREAT | O_TMPFILE))
        return (mode_t)va_arg(ap, int);
    return 0;
}

int open(const char *path, int flags, ...) {
    REAL(int, open, const char *, int, ...);
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    int fd = real_open(path, flags, mode);
    track(fd, path);
    return fd;
}

int open64(const char *path, int flags, ...) {
    REAL(int, open64, const char *, int, ...);
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    int fd = real_open64(path, flags, mode);
    track(fd, path);
    return fd;
}

int openat(int dirfd, const char *path, int flags, ...) {
    REAL(int, openat, int, const char *, int, ...);
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    int fd = real_openat(dirfd, path, flags, mode);
    track(fd, path);
    return fd;
}

int openat64(int dirfd, const char *path, int flags, ...) {
    REAL(int, openat64, int, const char *, int, ...);
    va_list ap;
    va_start(ap, flags);
    mode_t mode = mode_arg(flags, ap);
    va_end(ap);
    int fd = real_openat64(dirfd, path, flags, mode);
    track(fd, path);
    return fd;
}

int creat(const char *path, mode_t mode) {
    REAL(int, creat, const char *, mode_t);
    int fd = real_creat(path, mode);
    track(fd, path);
    return fd;
}

int creat64(const char *path, mode_t mode) {
    REAL(int, creat64, const char *, mode_t);
    int fd = real_creat64(path, mode);
    track(fd, path);
    return fd;
}

FILE *fopen(const char *path, const char *mode) {
    REAL(FILE *, fopen, const char *, const char *);
    FILE *f = real_fopen(path, mode);
    if (f)
        track(fileno(f), path);
    return f;
}

FILE *fopen64(const char *path, const char *mode) {
    REAL(FILE *, fopen64, const char *, const char *);
    FILE *f = real_fopen64(path, mode);
    if (f)
        track(fileno(f), path);
    return f;
}

/* ---- duplicating and closing ---- */

int dup(int fd) {
    REAL(int, dup, int);
    int nfd = real_dup(fd);
    if (nfd >= 0)
        copy_track(fd, nfd);
    return nfd;
}

int dup2(int fd, int nfd) {
    REAL(int, dup2, int, int);
    int r = real_dup2(fd, nfd);
    if (r >= 0 && r != fd)
        copy_track(fd, r);
    return r;
}

int dup3(int fd, int nfd, int flags) {
    REAL(int, dup3, int, int, int);
    int r = real_dup3(fd, nfd, flags);
    if (r >= 0)
        copy_track(fd, r);
    return r;
}

int fcntl(int fd, int cmd, ...) {
    REAL(int, fcntl, int, int, ...);
    va_list ap;
    va_start(ap, cmd);
    /* Every fcntl command takes at most one argument, an int or a pointer. */
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int r = real_fcntl(fd, cmd, arg);
    if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
        copy_track(fd, r);
    return r;
}

int fcntl64(int fd, int cmd, ...) {
    REAL(int, fcntl64, int, int, ...);
    va_list ap;
    va_start(ap, cmd);
    void *arg = va_arg(ap, void *);
    va_end(ap);
    int r = real_fcntl64(fd, cmd, arg);
    if (r >= 0 && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
        copy_track(fd, r);
    return r;
}

int close(int fd) {
    REAL(int, close, int);
    untrack(fd);
    return real_close(fd);
}

int fclose(FILE *f) {
    REAL(int, fclose, FILE *);
    if (f)
        untrack(fileno(f));
    return real_fclose(f);
}

/* ---- reading ---- */

ssize_t read(int fd, void *buf, size_t count) {
    REAL(ssize_t, read, int, void *, size_t);
    long long allow = read_allowance(fd, count);
    if (allow < 0) {
        errno = EIO;
        return -1;
    }
    ssize_t n = real_read(fd, buf, (size_t)allow);
    count_read(fd, n);
    return n;
}

ssize_t pread(int fd, void *buf, size_t count, off_t off) {
    REAL(ssize_t, pread, int, void *, size_t, off_t);
    long long allow = read_allowance(fd, count);
    if (allow < 0) {
        errno = EIO;
        return -1;
    }
    ssize_t n = real_pread(fd, buf, (size_t)allow, off);
    count_read(fd, n);
    return n;
}

ssize_t pread64(int fd, void *buf, size_t count, off64_t off) {
    REAL(ssize_t, pread64, int, void *, size_t, off64_t);
    long long allow = read_allowance(fd, count);
    if (allow < 0) {
        errno = EIO;
        return -1;
    }
    ssize_t n = real_pread64(fd, buf, (size_t)allow, off);
    count_read(fd, n);
    return n;
}

/* A vectored read on a faulty descriptor becomes a plain read into the first
 * non-empty buffer: a short read is always allowed, and it keeps the count exact. */
static ssize_t faulty_readv(int fd, const struct iovec *iov, int n) {
    for (int i = 0; i < n; i++)
        if (iov[i].iov_len > 0)
            return read(fd, iov[i].iov_base, iov[i].iov_len);
    return 0;
}

ssize_t readv(int fd, const struct iovec *iov, int n) {
    REAL(ssize_t, readv, int, const struct iovec *, int);
    if (fd >= 0 && fd < MAX_FD && atomic_load(&eio_fd[fd]))
        return faulty_readv(fd, iov, n);
    return real_readv(fd, iov, n);
}

ssize_t preadv(int fd, const struct iovec *iov, int n, off_t off) {
    REAL(ssize_t, preadv, int, const struct iovec *, int, off_t);
    if (fd >= 0 && fd < MAX_FD && atomic_load(&eio_fd[fd])) {
        for (int i = 0; i < n; i++)
            if (iov[i].iov_len > 0)
                return pread(fd, iov[i].iov_base, iov[i].iov_len, off);
        return 0;
    }
    return real_preadv(fd, iov, n, off);
}

ssize_t preadv64(int fd, const struct iovec *iov, int n, off64_t off) {
    REAL(ssize_t, preadv64, int, const struct iovec *, int, off64_t);
    if (fd >= 0 && fd < MAX_FD && atomic_load(&eio_fd[fd])) {
        for (int i = 0; i < n; i++)
            if (iov[i].iov_len > 0)
                return pread64(fd, iov[i].iov_base, iov[i].iov_len, off);
        return 0;
    }
    return real_preadv64(fd, iov, n, off);
}

/* ---- writing ---- */

ssize_t write(int fd, const void *buf, size_t count) {
    REAL(ssize_t, write, int, const void *, size_t);
    long long allow = write_allowance(fd, count);
    if (allow < 0) {
        errno = ENOSPC;
        return -1;
    }
    ssize_t n = real_write(fd, buf, (size_t)allow);
    write_done(fd, allow, n);
    return n;
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t off) {
    REAL(ssize_t, pwrite, int, const void *, size_t, off_t);
    long long allow = write_allowance(fd, count);
    if (allow < 0) {
        errno = ENOSPC;
        return -1;
    }
    ssize_t n = real_pwrite(fd, buf, (size_t)allow, off);
    write_done(fd, allow, n);
    return n;
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off64_t off) {
    REAL(ssize_t, pwrite64, int, const void *, size_t, off64_t);
    long long allow = write_allowance(fd, count);
    if (allow < 0) {
        errno = ENOSPC;
        return -1;
    }
    ssize_t n = real_pwrite64(fd, buf, (size_t)allow, off);
    write_done(fd, allow, n);
    return n;
}

ssize_t writev(int fd, const struct iovec *iov, int n) {
    REAL(ssize_t, writev, int, const struct iovec *, int);
    if (fd >= 0 && fd < MAX_FD && atomic_load(&enospc_fd[fd])) {
        /* As for readv: one buffer at a time keeps the byte count exact. */
        for (int i = 0; i < n; i++)
            if (iov[i].iov_len > 0)
                return write(fd, iov[i].iov_base, iov[i].iov_len);
        return 0;
    }
    return real_writev(fd, iov, n);
}

ssize_t pwritev(int fd, const struct iovec *iov, int n, off_t off) {
    REAL(ssize_t, pwritev, int, const struct iovec *, int, off_t);
    if (fd >= 0 && fd < MAX_FD && atomic_load(&enospc_fd[fd])) {
        for (int i = 0; i < n; i++)
            if (iov[i].iov_len > 0)
                return pwrite(fd, iov[i].iov_base, iov[i].iov_len, off);
        return 0;
    }
    return real_pwritev(fd, iov, n, off);
}

ssize_t pwritev64(int fd, const struct iovec *iov, int n, off64_t off) {
    REAL(ssize_t, pwritev64, int, const struct iovec *, int, off64_t);
    if (fd >= 0 && fd < MAX_FD && atomic_load(&enospc_fd[fd])) {
        for (int i = 0; i < n; i++)
            if (iov[i].iov_len > 0)
                return pwrite64(fd, iov[i].iov_base, iov[i].iov_len, off);
        return 0;
    }
    return real_pwritev64(fd, iov, n, off);
}
