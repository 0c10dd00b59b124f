/*
 * resolve.h: drained samples to samples of the profile model (model.h).
 *
 * Address-to-location lookup: each distinct (image, address) becomes one
 * model location once, however many stacks share it: its address and
 * mapping always (kept even when no symbol resolves it), plus the lines of
 * its inline chain innermost first. Kernel addresses go to one kernel
 * mapping, user addresses to their process's mapping with the object's
 * build id. A sample's locations are leaf first, with labels pid and comm;
 * its values are the caller's (the model's sample types are the caller's
 * too), so the resolver does not know what a sample measures.
 *
 * Process images (which maps and objects a (pid, generation) had) are
 * images.h's; the resolver owns one set and forwards the calls below.
 */
#ifndef BPFLAME_RESOLVE_H
#define BPFLAME_RESOLVE_H

#include <sys/types.h>

#include "images.h"
#include "model.h"
#include "sampler.h"

struct resolver;

/* Returns 0 and *out, or -ENOMEM. m receives the samples (NULL: none until
 * resolver__set_model()); it is not owned. */
int resolver__new(struct model *m, struct resolver **out);
/*
 * Sends later samples to m (continuous mode: one model per interval);
 * process images and objects stay open, the address cache starts again.
 * Returns 0 or -ENOMEM.
 */
int resolver__set_model(struct resolver *r, struct model *m);
void resolver__free(struct resolver *r);

/* The process images (images.h), for attach, refresh and Go text ranges. */
struct images *resolver__images(struct resolver *r);

/*
 * Symbolizes one drained sample and adds it to the model with values (one
 * per sample type of the model). Returns 0 or -errno.
 */
int resolver__add(struct resolver *r, const struct sampler_sample *sample,
		  const double *values);
/*
 * Reads the kernel symbols for addrs[0..n) (any order) now, in place of the
 * whole table at the first kernel frame: the symbols kept are only the ones
 * these addresses fall in (kallsyms.h), so the table costs kilobytes, not
 * megabytes. A kernel address outside them resolves to no symbol. Call it
 * before the samples that hold the addresses, again for each interval.
 * Returns 0 or -ENOMEM; a kallsyms that cannot be read is the warning below.
 */
int resolver__load_kernel_symbols(struct resolver *r, const uint64_t *addrs, size_t n);
/* A one-line warning for the summary when kernel symbols were unavailable, or NULL. */
const char *resolver__kernel_warning(const struct resolver *r);

#endif /* BPFLAME_RESOLVE_H */
