#include "tend_watch.h"
#include <errno.h>
#ifdef __linux__
#include <sys/inotify.h>
#endif

int tend_watch_open(void) {
#ifdef __linux__
    return inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int tend_watch_directory(int fd, const char *path) {
#ifdef __linux__
    return inotify_add_watch(fd, path, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB);
#else
    (void)fd; (void)path;
    errno = ENOSYS;
    return -1;
#endif
}
