/*
 * targets.h: which processes a recording profiles.
 *
 * Resolves -p PID lists, -n NAME (every process whose comm, executable
 * basename or argv[0] basename equals NAME, like pgrep -x) and watches the
 * targets through pidfds so a recording can end when all of them exit.
 */
#ifndef BPFLAME_TARGETS_H
#define BPFLAME_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct target_set {
	pid_t *pids; /* distinct tgids, ascending */
	int *pidfds; /* one per pid, -1 once that process exited */
	size_t n;
};

/*
 * Parses "12,34" into pids (checked to exist as processes, thread ids are
 * mapped to their tgid). Returns 0, -EINVAL for a malformed list (*bad
 * points at the bad token), or -ESRCH when a PID does not exist (*bad_pid).
 */
int targets__add_pid_list(struct target_set *t, const char *list, pid_t *bad_pid);
/* Adds every process matching name except the caller. Returns the number added. */
int targets__add_name(struct target_set *t, const char *name);
/* Opens a pidfd per target (processes that already died count as exited). */
int targets__watch(struct target_set *t);
/* Waits up to timeout_ms for a target to exit; returns the number still alive. */
size_t targets__poll(struct target_set *t, int timeout_ms);
void targets__free(struct target_set *t);

/* The tgid of a thread id, or a negative errno (-ESRCH if none). */
pid_t tgid_of(pid_t tid);
/* Reads /proc/PID/comm into buf (newline removed). Returns 0 or -errno. */
int proc_comm(pid_t pid, char *buf, size_t len);

#endif /* BPFLAME_TARGETS_H */
