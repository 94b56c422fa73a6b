// C glue for system calls Swift's Glibc module does not expose (it is built without
// _GNU_SOURCE), and for the parts that must be async-signal-safe.
#ifndef TEND_SYS_H
#define TEND_SYS_H

#include <sys/types.h>
#include <stddef.h>

/// Spawns `argv` in a new session (its own process group), signal mask cleared and
/// default dispositions restored, stdin from `in_fd` (or /dev/null when -1), stdout to
/// `out_fd` (or /dev/null when -1), stderr to `err_fd` (or wherever stdout goes when -1),
/// every other fd closed, working directory `cwd` (NULL = keep), and for each of the
/// `nlimits` resources `resources[i]` the limits `softs[i]`/`hards[i]`. `envp` NULL keeps
/// the environment. Returns 0 and sets *pid, or an errno value (an error in the child
/// before exec, from setrlimit, chdir or exec, is returned as its errno).
int tend_spawn(const char *path, char *const argv[], char *const envp[],
               const char *cwd, int in_fd, int out_fd, int err_fd,
               const int *resources, const unsigned long long *softs, const unsigned long long *hards,
               int nlimits, pid_t *pid);

/// RLIMIT_NPROC (hidden from Swift's Glibc module, built without _GNU_SOURCE).
int tend_rlimit_nproc(void);

/// pidfd_open(2); -1 with errno on failure (ENOSYS where absent).
int tend_pidfd_open(pid_t pid);

/// prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants are re-parented to this process
/// instead of init, so it learns of them and reaps them. -1 with errno where absent.
int tend_become_subreaper(void);

/// The user at the other end of a connected Unix socket (SO_PEERCRED on Linux,
/// getpeereid elsewhere); 0 on success, -1 with errno.
int tend_peer_uid(int fd, uid_t *uid);

/// fcntl(F_SETPIPE_SZ); returns the new size or -1.
int tend_set_pipe_size(int fd, int size);

/// Installs handlers for the given signals that write the signal number (one byte)
/// to a non-blocking pipe; returns that pipe's read end, or -1. Call once.
int tend_signal_pipe(const int *signals, int count);

/// Sets a signal to be ignored / to its default disposition.
int tend_signal_ignore(int sig);
int tend_signal_default(int sig);

/// Gives the heap's free memory back to the kernel (glibc's malloc_trim; elsewhere a
/// no-op), for a long-lived process after a burst of work.
void tend_release_free_memory(void);

// Loss-free capture: Linux only (the Swift side of other platforms does without).
#ifdef __linux__

/// tee(2), non-blocking: duplicates up to `len` bytes at the head of pipe `in_fd` into
/// pipe `out_fd` without consuming them. Returns the count, or -1 (EAGAIN when empty).
long tend_tee(int in_fd, int out_fd, size_t len);

/// splice(2) from pipe `in_fd` into file `out_fd` at *offset (advanced): the kernel
/// consumes from the pipe exactly what it wrote to the file. Returns the count or -1.
long tend_splice_to_file(int in_fd, int out_fd, long long *offset, size_t len);

/// fallocate(FALLOC_FL_KEEP_SIZE): reserves blocks without changing the file's size.
int tend_reserve(int fd, long long offset, long long len);

/// inotify_init1(IN_NONBLOCK | IN_CLOEXEC).
int tend_inotify_init(void);

/// inotify_add_watch for entries created, moved in or out, and deleted in `dir`, and the
/// directory's own deletion or move. Returns the watch descriptor or -1.
int tend_inotify_watch_dir(int fd, const char *dir);

/// inotify_add_watch for files in `dir` being written, created, moved or deleted, or
/// changing attributes (`tend logs --follow`). Returns the watch descriptor or -1.
int tend_inotify_watch_files(int fd, const char *dir);

/// The mask bits `tend_inotify_watch_dir` reports, named for Swift.
extern const unsigned int tend_in_added;      // IN_CREATE | IN_MOVED_TO
extern const unsigned int tend_in_removed;    // IN_DELETE | IN_MOVED_FROM
extern const unsigned int tend_in_gone;       // IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT
extern const unsigned int tend_in_overflow;   // IN_Q_OVERFLOW
#endif

struct addrinfo;
/// getaddrinfo(host, port) with AF_UNSPEC, `socktype` and AI_NUMERICSERV, waiting at most
/// `timeout_ms`. Returns 0 with *out set (free it with freeaddrinfo), a getaddrinfo error
/// code, or -1 when the timeout passed (the lookup finishes on its own thread and cleans up).
int tend_getaddrinfo_timed(const char *host, const char *port, int socktype, int timeout_ms,
                           struct addrinfo **out);

#endif
