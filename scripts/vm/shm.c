// SPDX-License-Identifier: GPL-2.0
/*
 * System V shared memory for fio in the debug VM, whose kernel has no
 * CONFIG_SYSVIPC (fio keeps its job table in a shmget() segment and
 * gives up without one). Preloaded (LD_PRELOAD) by blk.sh: shmget() maps
 * anonymous shared memory, shmat() returns it. fio attaches before it
 * forks its jobs, so they all share the one mapping; it is unmapped at
 * exit.
 */
#include <errno.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>

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
