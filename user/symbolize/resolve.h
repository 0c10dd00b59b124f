/*
 * resolve.h: drained samples to symbolized profile stacks.
 *
 * Owns the per-process symbolizers (procsyms.h), kernel symbols
 * (kallsyms.h) and a cache from (process, address) to interned frames, so
 * each distinct pc is symbolized once however many stacks share it.
 * A stack becomes "comm;user frames root first;kernel frames root first";
 * inline chains expand into one frame per logical call.
 *
 * Processes are attached when the recording starts, so a target that exits
 * mid-run keeps its symbols; unattached processes are attached on first use
 * if still alive, else their user frames stay "[unknown]".
 */
#ifndef BPFLAME_RESOLVE_H
#define BPFLAME_RESOLVE_H

#include <sys/types.h>

#include "profile_data.h"
#include "sampler.h"

struct resolver;

/* Returns 0 and *out, or -ENOMEM. prof receives the stacks; it is not owned. */
int resolver__new(struct profile *prof, struct resolver **out);
/*
 * Where process generations come from (sampler__generation): a process
 * whose generation changes (exec, or a new process reusing a PID) gets a
 * new entry with its new maps, while its earlier samples keep the old ones.
 * Without it every generation is 0.
 */
void resolver__set_generations(struct resolver *r, uint32_t (*gen_of)(void *ctx, pid_t pid),
			       void *ctx);

/* Opens pid's mappings and binaries now. Returns 0, -ESRCH if it is gone. */
int resolver__attach(struct resolver *r, pid_t pid);
/*
 * Attaches every process of /proc not attached yet (for -a, at the start and
 * then periodically, so short-lived processes are opened while alive). At
 * most RESOLVER_MAX_PROCS processes are kept. Returns the number attached,
 * or -E2BIG once that cap stops it.
 */
int resolver__attach_all(struct resolver *r);
#define RESOLVER_MAX_PROCS 16384

/* Re-reads the maps of every attached live process (new shared libraries),
 * and opens the new image of a process whose generation changed. */
void resolver__refresh(struct resolver *r);
/*
 * Calls cb with the runtime range of the Go code of every attached process
 * image that has some and was not reported yet (for sampler__set_go_text).
 * Stops at and returns cb's first non-zero value, else 0.
 */
typedef int (*go_text_fn)(void *ctx, pid_t pid, uint64_t start, uint64_t end);
int resolver__each_go_text(struct resolver *r, go_text_fn cb, void *ctx);

/* Sends later samples to prof (continuous mode: one profile per interval);
 * processes and objects stay open, the address cache starts again. */
void resolver__set_profile(struct resolver *r, struct profile *prof);
/* Symbolizes one drained sample and adds it to the profile. Returns 0 or -errno. */
int resolver__add(struct resolver *r, const struct sampler_sample *sample);
/* A one-line warning for the summary when kernel symbols were unavailable, or NULL. */
const char *resolver__kernel_warning(const struct resolver *r);
void resolver__free(struct resolver *r);

#endif /* BPFLAME_RESOLVE_H */
