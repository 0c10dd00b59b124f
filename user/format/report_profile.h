/*
 * report_profile.h: the one adapter from bpflame's profile model to the
 * report engine's sample stream (report.h). When the model changes, only
 * report_profile__add() changes.
 */
#ifndef BPFLAME_REPORT_PROFILE_H
#define BPFLAME_REPORT_PROFILE_H

#include "stacks.h"
#include "report.h"

/* Adds every stack of prof to r as a sample. Returns 0, -EINVAL or -ENOMEM. */
int report_profile__add(struct report *r, const struct stacks *prof);

/*
 * The report `record -o FILE.txt` writes: prof's samples, the categories of
 * the preset that recognizes the program (report_presets__detect()), text
 * output with default options. Returns 0, -ENODATA (no samples), -ENOMEM or
 * -EIO.
 */
int report_profile__write_text(const struct stacks *prof, const struct report_meta *meta,
			       FILE *out);

#endif /* BPFLAME_REPORT_PROFILE_H */
