/*
 * images.h: the process images of a recording, each a (pid, generation)
 * pair with its maps and object files (procsyms.h).
 *
 * Processes are attached when the recording starts, so a target that exits
 * mid-run keeps its symbols; an image not attached yet is opened on first
 * use if the process still runs it, else it stays without symbols. A
 * process whose generation changes (exec, or a new process reusing a PID)
 * gets a new image with its new maps, while its earlier samples keep the
 * old ones.
 */
#ifndef BPFLAME_IMAGES_H
#define BPFLAME_IMAGES_H

#include <stdint.h>
#include <sys/types.h>

#include "procsyms.h"

struct images;

/* Returns 0 and *out, or -ENOMEM. */
int images__new(struct images **out);
void images__free(struct images *im);

/* Where process generations come from (sampler__generation); without it
 * every generation is 0. */
void images__set_generations(struct images *im, uint32_t (*gen_of)(void *ctx, pid_t pid),
			     void *ctx);
/* Opens pid's mappings and binaries now. Returns 0, -ESRCH if it is gone. */
int images__attach(struct images *im, pid_t pid);
/*
 * Attaches every process of /proc not attached yet (for -a, at the start and
 * then periodically, so short-lived processes are opened while alive). At
 * most IMAGES_MAX_PROCS processes are kept. Returns the number attached,
 * or -E2BIG once that cap stops it.
 */
int images__attach_all(struct images *im);
#define IMAGES_MAX_PROCS 16384
/* Re-reads the maps of every attached live process (new shared libraries),
 * and opens the new image of a process whose generation changed. */
void images__refresh(struct images *im);
/*
 * Calls cb with the runtime range of the Go code of every image that has
 * some and was not reported yet (for sampler__set_go_text). Stops at and
 * returns cb's first non-zero value, else 0.
 */
typedef int (*go_text_fn)(void *ctx, pid_t pid, uint64_t start, uint64_t end);
int images__each_go_text(struct images *im, go_text_fn cb, void *ctx);
/*
 * The symbols of the image (pid, gen) that took a sample: opened now if
 * the process still runs it. Returns 0 and *ps (NULL when the image has no
 * symbols: exited, replaced or unreadable), or -ENOMEM.
 */
int images__get(struct images *im, pid_t pid, uint32_t gen, struct proc_syms **ps);

#endif /* BPFLAME_IMAGES_H */
