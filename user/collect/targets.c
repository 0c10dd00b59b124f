// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include "targets.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

static int read_small_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return (int)n;
}

int proc_comm(pid_t pid, char *buf, size_t len)
{
	char path[64];
	int n;

	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	n = read_small_file(path, buf, len);
	if (n < 0)
		return n == -ENOENT ? -ESRCH : n;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

pid_t tgid_of(pid_t tid)
{
	char path[64], buf[4096], *line;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	n = read_small_file(path, buf, sizeof(buf));
	if (n < 0)
		return n == -ENOENT ? -ESRCH : n;
	line = strstr(buf, "\nTgid:");
	if (!line)
		return -ESRCH;
	return (pid_t)strtol(line + 6, NULL, 10);
}

static int add_pid(struct target_set *t, pid_t pid)
{
	size_t i = 0;
	pid_t *pids;
	int *fds;

	while (i < t->n && t->pids[i] < pid)
		i++;
	if (i < t->n && t->pids[i] == pid)
		return 0;
	pids = realloc(t->pids, (t->n + 1) * sizeof(*pids));
	if (!pids)
		return -ENOMEM;
	t->pids = pids;
	fds = realloc(t->pidfds, (t->n + 1) * sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	t->pidfds = fds;
	memmove(&t->pids[i + 1], &t->pids[i], (t->n - i) * sizeof(*pids));
	memmove(&t->pidfds[i + 1], &t->pidfds[i], (t->n - i) * sizeof(*fds));
	t->pids[i] = pid;
	t->pidfds[i] = -1;
	t->n++;
	return 1;
}

int targets__add_pid_list(struct target_set *t, const char *list, pid_t *bad_pid)
{
	const char *p = list;

	*bad_pid = 0;
	while (*p) {
		char token[32];
		size_t len = strcspn(p, ",");
		long pid;
		pid_t tgid;
		int err;

		if (len == 0 || len >= sizeof(token))
			return -EINVAL;
		memcpy(token, p, len);
		token[len] = '\0';
		if (parse_long(token, 1, INT_MAX, &pid))
			return -EINVAL;
		tgid = tgid_of((pid_t)pid);
		if (tgid < 0) {
			*bad_pid = (pid_t)pid;
			return -ESRCH;
		}
		err = add_pid(t, tgid);
		if (err < 0)
			return err;
		p += len;
		if (*p == ',' && *++p == '\0')
			return -EINVAL;
	}
	return t->n ? 0 : -EINVAL;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* True if process pid's comm, exe basename or argv[0] basename is name. */
static bool process_matches(pid_t pid, const char *name)
{
	char path[64], buf[PATH_MAX];
	ssize_t n;

	/* comm is truncated to 15 bytes by the kernel: compare that prefix. */
	if (!proc_comm(pid, buf, sizeof(buf)) && !strncmp(buf, name, 15) &&
	    (strlen(name) <= 15 ? !strcmp(buf, name) : strlen(buf) == 15))
		return true;
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = '\0';
		if (!strcmp(basename_of(buf), name))
			return true;
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	if (read_small_file(path, buf, sizeof(buf)) > 0 && !strcmp(basename_of(buf), name))
		return true;
	return false;
}

int targets__add_name(struct target_set *t, const char *name)
{
	DIR *dir = opendir("/proc");
	struct dirent *de;
	pid_t self = getpid();
	int added = 0, err;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		long pid;

		if (!isdigit((unsigned char)de->d_name[0]) ||
		    parse_long(de->d_name, 1, INT_MAX, &pid) || pid == self)
			continue;
		if (!process_matches((pid_t)pid, name))
			continue;
		err = add_pid(t, (pid_t)pid);
		if (err < 0) {
			closedir(dir);
			return err;
		}
		added += err;
	}
	closedir(dir);
	return added;
}

int targets__watch(struct target_set *t)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->pidfds[i] >= 0)
			continue;
		t->pidfds[i] = (int)syscall(__NR_pidfd_open, t->pids[i], 0);
		if (t->pidfds[i] < 0 && errno != ESRCH)
			return -errno;
	}
	return 0;
}

size_t targets__poll(struct target_set *t, int timeout_ms)
{
	struct pollfd *fds = calloc(t->n ? t->n : 1, sizeof(*fds));
	size_t alive = 0;

	if (!fds) {
		usleep(timeout_ms * 1000);
		return t->n;
	}
	for (size_t i = 0; i < t->n; i++) {
		fds[i].fd = t->pidfds[i]; /* poll ignores negative fds */
		fds[i].events = POLLIN;
	}
	poll(fds, t->n, timeout_ms);
	for (size_t i = 0; i < t->n; i++) {
		/* A pidfd turns readable when its process exits. */
		if (t->pidfds[i] >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
			close(t->pidfds[i]);
			t->pidfds[i] = -1;
		}
		if (t->pidfds[i] >= 0)
			alive++;
	}
	free(fds);
	return alive;
}

void targets__free(struct target_set *t)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->pidfds[i] >= 0)
			close(t->pidfds[i]);
	}
	free(t->pids);
	free(t->pidfds);
	memset(t, 0, sizeof(*t));
}
