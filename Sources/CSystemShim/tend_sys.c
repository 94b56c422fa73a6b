#define _GNU_SOURCE
#include "tend_sys.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <sys/inotify.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif


int tend_rlimit_nproc(void) { return RLIMIT_NPROC; }

int tend_pidfd_open(pid_t pid) {
#if defined(__linux__) && defined(SYS_pidfd_open)
    return (int)syscall(SYS_pidfd_open, pid, 0);
#elif defined(__linux__)
    return (int)syscall(434, pid, 0);
#else
    (void)pid;
    errno = ENOSYS;
    return -1;
#endif
}

int tend_become_subreaper(void) {
#ifdef __linux__
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int tend_peer_uid(int fd, uid_t *uid) {
#ifdef __linux__
    struct ucred cred;
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    *uid = cred.uid;
    return 0;
#else
    gid_t gid;
    return getpeereid(fd, uid, &gid);
#endif
}

int tend_set_pipe_size(int fd, int size) {
#ifdef F_SETPIPE_SZ
    return fcntl(fd, F_SETPIPE_SZ, size);
#else
    (void)fd; (void)size;
    errno = ENOSYS;
    return -1;
#endif
}

static int signal_write_fd = -1;

static void on_signal(int sig) {
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    if (signal_write_fd >= 0) (void)!write(signal_write_fd, &b, 1);
    errno = saved;
}

int tend_signal_pipe(const int *signals, int count) {
    int fds[2];
    if (pipe(fds) != 0) return -1;
    for (int i = 0; i < 2; i++) {
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
        fcntl(fds[i], F_SETFD, FD_CLOEXEC);
    }
    signal_write_fd = fds[1];
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < count; i++) sigaction(signals[i], &sa, NULL);
    return fds[0];
}

int tend_signal_ignore(int sig) { return signal(sig, SIG_IGN) == SIG_ERR ? -1 : 0; }
int tend_signal_default(int sig) { return signal(sig, SIG_DFL) == SIG_ERR ? -1 : 0; }

void tend_release_free_memory(void) {
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}


#ifdef __linux__
long tend_tee(int in_fd, int out_fd, size_t len) {
    return (long)tee(in_fd, out_fd, len, SPLICE_F_NONBLOCK);
}

long tend_splice_to_file(int in_fd, int out_fd, long long *offset, size_t len) {
    loff_t off = (loff_t)*offset;
    ssize_t n = splice(in_fd, NULL, out_fd, &off, len, SPLICE_F_NONBLOCK);
    *offset = (long long)off;
    return (long)n;
}

int tend_reserve(int fd, long long offset, long long len) {
    return fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)offset, (off_t)len);
}

int tend_inotify_init(void) { return inotify_init1(IN_NONBLOCK | IN_CLOEXEC); }

int tend_inotify_watch_dir(int fd, const char *dir) {
    return inotify_add_watch(fd, dir, IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM
                                      | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR);
}

int tend_inotify_watch_files(int fd, const char *dir) {
    return inotify_add_watch(fd, dir, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ATTRIB);
}

const unsigned int tend_in_added = IN_CREATE | IN_MOVED_TO;
const unsigned int tend_in_removed = IN_DELETE | IN_MOVED_FROM;
const unsigned int tend_in_gone = IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT;
const unsigned int tend_in_overflow = IN_Q_OVERFLOW;
#endif

// Name resolution bounded by a timeout: getaddrinfo can block on DNS for as long as the
// resolver likes, so it runs on a detached thread and the caller waits on a pipe. A
// caller that gives up leaves the thread to finish and free everything itself.
#include <netdb.h>
#include <poll.h>
#include <pthread.h>

struct tend_lookup {
    pthread_mutex_t lock;
    int refs;              // the caller and the thread
    char *host, *port;
    struct addrinfo hints, *result;
    int rc;
    int done_fd;           // write end: one byte when finished
};

static void tend_lookup_release(struct tend_lookup *q) {
    pthread_mutex_lock(&q->lock);
    int left = --q->refs;
    pthread_mutex_unlock(&q->lock);
    if (left) return;
    if (q->result) freeaddrinfo(q->result);
    free(q->host);
    free(q->port);
    close(q->done_fd);
    pthread_mutex_destroy(&q->lock);
    free(q);
}

static void *tend_lookup_run(void *arg) {
    struct tend_lookup *q = arg;
    q->rc = getaddrinfo(q->host, q->port, &q->hints, &q->result);
    unsigned char b = 1;
    (void)!write(q->done_fd, &b, 1);
    tend_lookup_release(q);
    return NULL;
}

int tend_getaddrinfo_timed(const char *host, const char *port, int socktype, int timeout_ms,
                           struct addrinfo **out) {
    *out = NULL;
    int fds[2];
    if (pipe(fds) != 0) return EAI_SYSTEM;
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    struct tend_lookup *q = calloc(1, sizeof *q);
    if (!q) { close(fds[0]); close(fds[1]); return EAI_MEMORY; }
    pthread_mutex_init(&q->lock, NULL);
    q->refs = 2;
    q->host = strdup(host);
    q->port = strdup(port);
    q->hints.ai_family = AF_UNSPEC;
    q->hints.ai_socktype = socktype;
    q->hints.ai_flags = AI_NUMERICSERV;
    q->done_fd = fds[1];
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_t thread;
    int started = pthread_create(&thread, &attr, tend_lookup_run, q);
    pthread_attr_destroy(&attr);
    if (started != 0) {
        q->refs = 1;
        tend_lookup_release(q);
        close(fds[0]);
        return EAI_AGAIN;
    }
    struct pollfd p = { .fd = fds[0], .events = POLLIN };
    int n;
    do { n = poll(&p, 1, timeout_ms); } while (n < 0 && errno == EINTR);
    close(fds[0]);
    int rc = EAI_AGAIN;
    if (n > 0) {
        rc = q->rc;
        *out = q->result;   // handed over: the release below must not free it
        q->result = NULL;
    }
    tend_lookup_release(q);
    return n > 0 ? rc : -1;   // -1: timed out
}
