// SPDX-License-Identifier: GPL-2.0
/*
 * fault-insmod [-f] MODULE.ko [PARAM=VALUE ...]
 *
 * insmod for the fault-injection VM (scripts/vm/init-fault.sh). With -f,
 * this thread's make-it-fail is set for the finit_module() call and for
 * nothing else: failslab and fail_page_alloc (task-filter=Y) then fail
 * the module load at their rates, while the exec, the page faults and the
 * reads around it, which a shell's "echo 1 >/proc/self/make-it-fail; exec
 * insmod" would fail as well, are left alone.
 * Prints "fault-insmod MODULE ret=R", R being 0 or -errno, and exits 0 if
 * the module loaded.
 *
 * Built static with the kernel's nolibc (tools/include/nolibc): the VM has
 * no C library.
 */
#include <sys/syscall.h>

/* Append @s to @buf (of @size bytes); nolibc has no strcat(). */
static int append(char *buf, size_t size, const char *s)
{
	size_t len = strlen(buf), n = strlen(s);

	if (len + n + 1 > size)
		return -1;
	memcpy(buf + len, s, n + 1);
	return 0;
}

int main(int argc, char **argv)
{
	int fail_it = 0, fd, fd_fail = -1, i = 1;
	char params[512] = "";
	const char *mod;
	long ret;

	if (i < argc && !strcmp(argv[i], "-f")) {
		fail_it = 1;
		i++;
	}
	if (i >= argc || argv[i][0] == '-') {
		fprintf(stderr, "usage: fault-insmod [-f] MODULE.ko [PARAMS]\n");
		return 2;
	}
	mod = argv[i++];
	for (; i < argc; i++) {
		if ((params[0] && append(params, sizeof(params), " ")) ||
		    append(params, sizeof(params), argv[i])) {
			fprintf(stderr, "fault-insmod: parameters too long\n");
			return 2;
		}
	}

	fd = open(mod, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "fault-insmod: cannot open %s\n", mod);
		return 2;
	}
	if (fail_it) {
		fd_fail = open("/proc/thread-self/make-it-fail", O_WRONLY);
		if (fd_fail < 0 || write(fd_fail, "1", 1) != 1) {
			fprintf(stderr, "fault-insmod: no fault injection in this kernel\n");
			return 2;
		}
	}
	ret = my_syscall3(__NR_finit_module, fd, params, 0);
	if (fail_it)
		write(fd_fail, "0", 1);

	printf("fault-insmod %s ret=%ld\n", mod, ret);
	return ret ? 1 : 0;
}
