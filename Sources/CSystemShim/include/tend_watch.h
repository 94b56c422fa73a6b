// inotify for `tend logs --follow` (Linux); elsewhere every call fails with ENOSYS and
// the caller polls.
#ifndef TEND_WATCH_H
#define TEND_WATCH_H

/// inotify_init1(IN_NONBLOCK | IN_CLOEXEC); -1 with errno on failure.
int tend_watch_open(void);

/// Watches a directory for files in it being written, created, moved or deleted;
/// returns the watch descriptor, or -1 with errno.
int tend_watch_directory(int fd, const char *path);

#endif
