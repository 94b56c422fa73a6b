#define _GNU_SOURCE
#include "tend_sys.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#ifdef __linux__
#include <sys/syscall.h>
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

extern char **environ;

// Spawning without paying for the parent's descriptors.
//
// A child made with vfork gets a copy of every open descriptor and must close them all
// before exec: a monitor holding 3000 (three per daemon at a thousand daemons) pays that
// at every restart. So the child shares the parent's table (CLONE_FILES) and drops it
// with close_range(below, ~0, CLOSE_RANGE_UNSHARE), for which the kernel copies only the
// descriptors under `below`. The three the child keeps are first put in low "slots"
// reserved once per process (with a fourth on /dev/null), so `below` stays small.

// What the child needs, in memory it shares with the parent (CLONE_VM).
struct spawn_request {
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *cwd;
    int in, out, err;   // slots, or -1
    int null_fd;
    int below;          // above every slot
    const int *resources;
    const unsigned long long *softs, *hards;
    int nlimits;
    volatile int error;
};

static pthread_mutex_t spawn_lock = PTHREAD_MUTEX_INITIALIZER;
static int slots[3] = { -1, -1, -1 };
static int null_slot = -1;
// The child runs here, never on the parent's stack (as posix_spawn does); the lock
// makes it one child at a time.
static char child_stack[64 * 1024] __attribute__((aligned(16)));

static int reserve_slots(void) {
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd < 0) return errno;
    int fds[4];
    for (int i = 0; i < 4; i++) {
        // At 3 or above, so that no slot is ever one of the child's 0, 1 and 2.
        fds[i] = fcntl(null_fd, F_DUPFD_CLOEXEC, 3);
        if (fds[i] < 0) {
            int e = errno;
            for (int j = 0; j < i; j++) close(fds[j]);
            close(null_fd);
            return e;
        }
    }
    close(null_fd);
    for (int i = 0; i < 3; i++) slots[i] = fds[i];
    null_slot = fds[3];
    return 0;
}

// Leaves the child a table of its own holding only what is under `below`.
static int drop_inherited_descriptors(int below) {
#ifdef __linux__
    if (syscall(SYS_close_range, below, ~0U, CLOSE_RANGE_UNSHARE) == 0) return 0;
    // A kernel without close_range (before 5.9): copy the table, then close one by one.
    if (unshare(CLONE_FILES) != 0) return -1;
#endif
    long max = sysconf(_SC_OPEN_MAX);
    for (int fd = below; fd < (max > 0 ? max : 65536); fd++) (void)close(fd);
    return 0;
}

// Between clone and exec: only system calls, and no write outside `r->error`.
static int spawn_child(void *arg) {
    struct spawn_request *r = arg;
    if (drop_inherited_descriptors(r->below) != 0) goto fail;
    if (setsid() < 0) goto fail;
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) (void)sigaction(sig, &dfl, NULL);
    if (dup2(r->in >= 0 ? r->in : r->null_fd, 0) < 0) goto fail;
    if (dup2(r->out >= 0 ? r->out : r->null_fd, 1) < 0) goto fail;
    if (dup2(r->err >= 0 ? r->err : 1, 2) < 0) goto fail;
#ifdef __linux__
    if (syscall(SYS_close_range, 3, ~0U, 0) != 0)
#endif
        for (int fd = 3; fd < r->below; fd++) (void)close(fd);
    if (r->cwd && chdir(r->cwd) != 0) goto fail;
    for (int i = 0; i < r->nlimits; i++) {
        struct rlimit rl = { .rlim_cur = (rlim_t)r->softs[i], .rlim_max = (rlim_t)r->hards[i] };
        if (setrlimit(r->resources[i], &rl) != 0) goto fail;
    }
    sigset_t empty;
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);
    execve(r->path, r->argv, r->envp ? r->envp : environ);
fail:
    r->error = errno ? errno : EINVAL;
    _exit(127);
}

int tend_spawn(const char *path, char *const argv[], char *const envp[],
               const char *cwd, int in_fd, int out_fd, int err_fd,
               const int *resources, const unsigned long long *softs, const unsigned long long *hards,
               int nlimits, pid_t *pid) {
    pthread_mutex_lock(&spawn_lock);
    int e = null_slot < 0 ? reserve_slots() : 0;
    if (e) {
        pthread_mutex_unlock(&spawn_lock);
        return e;
    }
    struct spawn_request r = {
        .path = path, .argv = argv, .envp = envp, .cwd = cwd, .in = -1, .out = -1, .err = -1,
        .null_fd = null_slot, .resources = resources, .softs = softs, .hards = hards,
        .nlimits = nlimits, .error = 0,
    };
    int given[3] = { in_fd, out_fd, err_fd };
    int *kept[3] = { &r.in, &r.out, &r.err };
    r.below = null_slot + 1;
    for (int i = 0; i < 3; i++) {
        if (slots[i] + 1 > r.below) r.below = slots[i] + 1;
        if (given[i] < 0) continue;
        if (given[i] != slots[i] && dup3(given[i], slots[i], O_CLOEXEC) < 0) { e = errno; break; }
        *kept[i] = slots[i];
    }
    pid_t child = -1;
    if (!e) {
        // No signal handler of ours may run in the child before exec.
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_SETMASK, &all, &old);
#ifdef __linux__
        // CLONE_VFORK: back here once the child has exec'd or exited.
        child = clone(spawn_child, child_stack + sizeof child_stack, CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &r);
#else
        child = vfork();
        if (child == 0) spawn_child(&r);
#endif
        e = child < 0 ? errno : r.error;
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    }
    // The slots let go of what they were given (a FIFO released later must not stay open here).
    for (int i = 0; i < 3; i++) if (*kept[i] >= 0) (void)dup3(null_slot, slots[i], O_CLOEXEC);
    pthread_mutex_unlock(&spawn_lock);
    if (child > 0 && e) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    }
    if (!e) *pid = child;
    return e;
}
