// SPDX-License-Identifier: GPL-2.0
/*
 * What fio needs and the debug VM's kernel (tinyconfig based) lacks,
 * preloaded (LD_PRELOAD) by blk.sh:
 *
 * - System V shared memory (no CONFIG_SYSVIPC): fio keeps its job table
 *   in a shmget() segment and gives up without one. shmget() maps
 *   anonymous shared memory, shmat() returns it. fio attaches before it
 *   forks its jobs, so they all share the one mapping.
 * - timerfd (no CONFIG_TIMERFD): fio's helper thread asserts that
 *   timerfd_create() works, then waits in select() for it. A pipe stands
 *   in for each timer, and a thread writes the expiry count into it when
 *   the timer is due (with SIGPIPE blocked: fio closes its timer and
 *   exits while the thread may still write).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/timerfd.h>

#define NR_SEGS 16

static struct {
	void *addr;
	size_t size;
} segs[NR_SEGS];

static int seg_ok(int id)
{
	if (id < 0 || id >= NR_SEGS || !segs[id].addr) {
		errno = EINVAL;
		return 0;
	}
	return 1;
}

int shmget(key_t key, size_t size, int flags)
{
	int i;

	(void)key;
	(void)flags;
	for (i = 0; i < NR_SEGS; i++) {
		void *p;

		if (segs[i].addr)
			continue;
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			errno = ENOMEM;
			return -1;
		}
		segs[i].addr = p;
		segs[i].size = size;
		return i;
	}
	errno = ENOSPC;
	return -1;
}

void *shmat(int id, const void *addr, int flags)
{
	(void)addr;
	(void)flags;
	return seg_ok(id) ? segs[id].addr : (void *)-1;
}

int shmdt(const void *addr)
{
	(void)addr;
	return 0;
}

int shmctl(int id, int cmd, struct shmid_ds *buf)
{
	if (!seg_ok(id))
		return -1;
	if (cmd == IPC_STAT && buf) {
		memset(buf, 0, sizeof(*buf));
		buf->shm_segsz = segs[id].size;
	}
	return 0;
}

/* One timer: the pipe fio reads, and when it is due (0: disarmed). */
static struct {
	int rfd, wfd;
	struct timespec due, interval;
	int used;
} timers[NR_SEGS];
static pthread_mutex_t tlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tcond = PTHREAD_COND_INITIALIZER;
static int tthread_started;

static int ts_armed(const struct timespec *t)
{
	return t->tv_sec || t->tv_nsec;
}

static int ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec ||
	       (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void ts_add(struct timespec *a, const struct timespec *b)
{
	a->tv_sec += b->tv_sec;
	a->tv_nsec += b->tv_nsec;
	if (a->tv_nsec >= 1000000000L) {
		a->tv_sec++;
		a->tv_nsec -= 1000000000L;
	}
}

static void *timer_thread(void *arg)
{
	sigset_t pipe_sig;

	(void)arg;
	/*
	 * A write to a timer fio has closed fails with EPIPE: its SIGPIPE,
	 * sent to this thread, stays blocked rather than killing fio.
	 */
	sigemptyset(&pipe_sig);
	sigaddset(&pipe_sig, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_sig, NULL);
	pthread_mutex_lock(&tlock);
	for (;;) {
		struct timespec now, next = { 0, 0 };
		int i;

		clock_gettime(CLOCK_MONOTONIC, &now);
		for (i = 0; i < NR_SEGS; i++) {
			unsigned long long one = 1;	/* timerfd reads 8 bytes */

			if (!timers[i].used || !ts_armed(&timers[i].due))
				continue;
			if (!ts_before(&now, &timers[i].due)) {
				/* Full: fio has not read the last one yet. */
				(void)!write(timers[i].wfd, &one, sizeof(one));
				if (ts_armed(&timers[i].interval)) {
					timers[i].due = now;
					ts_add(&timers[i].due, &timers[i].interval);
				} else {
					memset(&timers[i].due, 0, sizeof(timers[i].due));
					continue;
				}
			}
			if (!ts_armed(&next) || ts_before(&timers[i].due, &next))
				next = timers[i].due;
		}
		if (ts_armed(&next)) {
			/* The condition variable's clock is CLOCK_REALTIME. */
			struct timespec rt, mono;

			clock_gettime(CLOCK_REALTIME, &rt);
			clock_gettime(CLOCK_MONOTONIC, &mono);
			rt.tv_sec += next.tv_sec - mono.tv_sec;
			rt.tv_nsec += next.tv_nsec - mono.tv_nsec;
			while (rt.tv_nsec < 0) {
				rt.tv_sec--;
				rt.tv_nsec += 1000000000L;
			}
			while (rt.tv_nsec >= 1000000000L) {
				rt.tv_sec++;
				rt.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&tcond, &tlock, &rt);
		} else {
			pthread_cond_wait(&tcond, &tlock);
		}
	}
	return NULL;
}

int timerfd_create(int clockid, int flags)
{
	int fds[2], i;

	(void)clockid;
	if (pipe2(fds, O_CLOEXEC | ((flags & TFD_NONBLOCK) ? O_NONBLOCK : 0)))
		return -1;
	/* The writer never waits: a due timer fio has not read yet stays due. */
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	pthread_mutex_lock(&tlock);
	for (i = 0; i < NR_SEGS && timers[i].used; i++)
		;
	if (i == NR_SEGS) {
		pthread_mutex_unlock(&tlock);
		close(fds[0]);
		close(fds[1]);
		errno = EMFILE;
		return -1;
	}
	memset(&timers[i], 0, sizeof(timers[i]));
	timers[i].used = 1;
	timers[i].rfd = fds[0];
	timers[i].wfd = fds[1];
	if (!tthread_started) {
		pthread_t t;

		if (!pthread_create(&t, NULL, timer_thread, NULL)) {
			pthread_detach(t);
			tthread_started = 1;
		}
	}
	pthread_mutex_unlock(&tlock);
	return fds[0];
}

int timerfd_settime(int fd, int flags, const struct itimerspec *new,
		    struct itimerspec *old)
{
	struct timespec now;
	int i;

	pthread_mutex_lock(&tlock);
	for (i = 0; i < NR_SEGS && !(timers[i].used && timers[i].rfd == fd); i++)
		;
	if (i == NR_SEGS) {
		pthread_mutex_unlock(&tlock);
		errno = EINVAL;
		return -1;
	}
	if (old)
		memset(old, 0, sizeof(*old));
	timers[i].interval = new->it_interval;
	if (!ts_armed(&new->it_value)) {
		memset(&timers[i].due, 0, sizeof(timers[i].due));
	} else if (flags & TFD_TIMER_ABSTIME) {
		timers[i].due = new->it_value;
	} else {
		clock_gettime(CLOCK_MONOTONIC, &now);
		timers[i].due = now;
		ts_add(&timers[i].due, &new->it_value);
	}
	pthread_cond_signal(&tcond);
	pthread_mutex_unlock(&tlock);
	return 0;
}
