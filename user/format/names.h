/*
 * names.h: display forms of function names, for people; data keeps the real ones.
 *
 * Builds from a repository that vendors its dependencies name their code
 * "k8s.io/kubernetes/vendor/k8s.io/apiserver/...", and Go's standard library
 * calls its own copies "vendor/golang.org/x/net/...". Display trims every
 * such vendor prefix (the flame graph's labels, the report's text); titles,
 * folded, pprof and JSON output keep the full name. The report also shortens
 * names that do not fit a column, keeping the end (the function) readable.
 */
#ifndef BPFLAME_NAMES_H
#define BPFLAME_NAMES_H

#include <stddef.h>

/*
 * Writes name (len bytes) into out with every vendor prefix removed: in each
 * path token (a run of characters other than "[](),*; "), everything up to
 * and including its last "vendor/" that starts the token or follows a '/'.
 * out needs len + 1 bytes; it is NUL-terminated. Returns the new length
 * (len when nothing was trimmed).
 */
size_t names__trim_vendor(const char *name, size_t len, char *out);

/*
 * The display form of name in at most width columns (bytes; width >= 8):
 * vendor prefixes trimmed, then, while too long, generic type arguments
 * shown as "[...]", the middle of the import path as ".../", and finally
 * the start cut to "...". out needs strlen(name) + 1 bytes. Returns the
 * length written.
 */
size_t names__display(const char *name, size_t width, char *out);

#endif /* BPFLAME_NAMES_H */
