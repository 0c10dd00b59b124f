// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of the in-memory profile and the folded format (read, merge, sort, write). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "folded.h"
#include "stacks.h"
#include "tap.h"
#include "util.h"

/* Reads text into a new profile; returns the folded__read status. */
static int read_text(struct stacks *prof, const char *text, bool strict, struct stacks *before)
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");
	struct folded_read_opts opts = { .source = "test", .strict = strict, .before = before };
	int err = folded__read(prof, in, &opts);

	fclose(in);
	return err;
}

/* Writes prof as folded text; returns a malloc'd string. */
static char *write_text(const struct stacks *prof, unsigned flags)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	if (folded__write(prof, flags, out))
		ok(0, "folded__write failed");
	fclose(out);
	return buf;
}

static void test_roundtrip_merge_sort(void)
{
	struct stacks *prof = stacks__new();
	char *out;

	/* Unsorted, with a duplicate stack split over two lines. */
	is_int(read_text(prof, "b;c 2\na;x_[k] 1\nb;c 3\na 4\n", false, NULL), 0, "read ok");
	is_int(stacks__stack_count(prof), 3, "duplicate stacks merged on insert");
	ok(stacks__total(prof) == 10, "total is the sum of counts");
	out = write_text(prof, LABEL_ANNOTATE);
	is_str(out, "a 4\na;x_[k] 1\nb;c 5\n", "sorted bytewise, merged, annotation kept");
	free(out);
	out = write_text(prof, 0);
	is_str(out, "a 4\na;x 1\nb;c 5\n", "labels without annotation");
	free(out);
	stacks__free(prof);
}

/* Lines that share leading bytes with the one before but not whole frames,
 * or all of its frames and more or fewer: the reused ids must be exactly
 * those of frames whose text and end are the same. */
static void test_shared_prefixes(void)
{
	struct stacks *prof = stacks__new();
	char *out;

	is_int(read_text(prof,
			 "a;b;c 1\n"
			 "a;b 2\n"     /* a prefix of the line before */
			 "a;bc 4\n"    /* "a;b" again, but frame b is now bc */
			 "a;bc;d 8\n"  /* the line before and one more frame */
			 "a;b_[k] 16\n" /* same bytes as "a;b", another kind */
			 "a;b 32\n"
			 "ab;c 64\n",   /* "a" shares a byte, not a frame */
			 false, NULL),
	       0, "lines sharing prefixes read");
	out = write_text(prof, LABEL_ANNOTATE);
	is_str(out, "a;b 34\na;b;c 1\na;b_[k] 16\na;bc 4\na;bc;d 8\nab;c 64\n",
	       "each line has its own frames");
	free(out);
	is_int(stacks__frame_count(prof), 7, "frames a b c bc d b_[k] ab (c shared)");
	stacks__free(prof);
}

static void test_merge_by_label(void)
{
	struct stacks *prof = stacks__new();
	struct stack_frame f = { .name = "main.work", .kind = FRAME_USER };
	uint32_t ids[2][2];
	char *out;

	/* Two frames of one function at different lines: distinct
	 * in the profile, one line in folded output unless lines are shown. */
	f.line = 10;
	stacks__intern_frame(prof, &f, &ids[0][1]);
	f.line = 12;
	stacks__intern_frame(prof, &f, &ids[1][1]);
	f = (struct stack_frame){ .name = "app", .kind = FRAME_PROCESS };
	stacks__intern_frame(prof, &f, &ids[0][0]);
	ids[1][0] = ids[0][0];
	ok(ids[0][1] != ids[1][1], "frames at different lines are distinct");
	stacks__add_stack(prof, ids[0], 2, 3);
	stacks__add_stack(prof, ids[1], 2, 4);
	is_int(stacks__stack_count(prof), 2, "two stacks in the profile");
	out = write_text(prof, LABEL_ANNOTATE);
	is_str(out, "app;main.work 7\n", "one folded line after symbolized merge");
	free(out);
	out = write_text(prof, LABEL_ANNOTATE | LABEL_LINES);
	is_str(out, "app;main.work:10 3\napp;main.work:12 4\n", "--lines keeps them apart");
	free(out);
	stacks__free(prof);
}

static void test_kinds(void)
{
	struct stacks *prof = stacks__new();
	const struct stack_entry *s;

	read_text(prof, "p;f_[i];g_[k];h_[j];q_[x] 1\n", false, NULL);
	s = stacks__stack(prof, 0);
	is_int(s->depth, 5, "five frames");
	is_int(stacks__frame(prof, s->frames[1])->kind, FRAME_INLINED, "_[i] is inlined");
	is_str(stacks__frame(prof, s->frames[1])->name, "f", "annotation removed from name");
	is_int(stacks__frame(prof, s->frames[2])->kind, FRAME_KERNEL, "_[k] is kernel");
	is_int(stacks__frame(prof, s->frames[3])->kind, FRAME_JIT, "_[j] is jit");
	is_str(stacks__frame(prof, s->frames[4])->name, "q_[x]", "unknown annotation kept");
	stacks__free(prof);
}

static void test_separator_in_names(void)
{
	struct stacks *prof = stacks__new();
	struct stack_frame f = { .name = "p", .kind = FRAME_PROCESS };
	uint32_t ids[2];
	char *out;

	stacks__intern_frame(prof, &f, &ids[0]);
	f = (struct stack_frame){ .name = "m.(*T[go.shape.struct { a bool; b string }]).f\n",
				    .kind = FRAME_USER };
	stacks__intern_frame(prof, &f, &ids[1]);
	stacks__add_stack(prof, ids, 2, 1);
	out = write_text(prof, LABEL_ANNOTATE);
	is_str(out, "p;m.(*T[go.shape.struct { a bool, b string }]).f  1\n",
	       "';' and control characters inside a frame name are replaced");
	free(out);
	stacks__free(prof);

	/* A name ending in " 1000000" must not read back as a second count. */
	prof = stacks__new();
	f = (struct stack_frame){ .name = "p", .kind = FRAME_PROCESS };
	stacks__intern_frame(prof, &f, &ids[0]);
	f = (struct stack_frame){ .name = "main.evil 1000000", .kind = FRAME_USER };
	stacks__intern_frame(prof, &f, &ids[1]);
	stacks__add_stack(prof, ids, 2, 5);
	out = write_text(prof, 0);
	is_str(out, "p;main.evil_1000000 5\n", "a trailing number in a name stays in the name");
	free(out);
	stacks__free(prof);
}

static void test_counts_and_bad_lines(void)
{
	struct stacks *prof = stacks__new(), *before = stacks__new();
	char *out;

	is_int(read_text(prof, "a;b 1.5\na;b 2.25\nc .5\nd 1.2.3\n", false, NULL), 0,
	       "fractional counts");
	out = write_text(prof, 0);
	is_str(out, "a;b 3.75\n", "fractional sum printed exactly");
	free(out);
	stacks__free(prof);

	prof = stacks__new();
	is_int(read_text(prof, "a;b 1\ngarbage\nc x\n  \nd;e 2\r\n", false, NULL), 0,
	       "malformed lines skipped");
	is_int(stacks__stack_count(prof), 2, "only the good lines kept");
	stacks__free(prof);

	prof = stacks__new();
	is_int(read_text(prof, "a;b 1\ngarbage\n", true, NULL), -EINVAL, "strict rejects");
	stacks__free(prof);

	prof = stacks__new();
	is_int(read_text(prof, "", false, NULL), -ENODATA, "empty input is -ENODATA");
	is_int(read_text(prof, "junk\n", false, NULL), -ENODATA, "no valid line is -ENODATA");
	stacks__free(prof);

	prof = stacks__new();
	is_int(read_text(prof, "a;b 3 5\nc 0 2\n", false, before), 0, "two-count lines");
	ok(stacks__total(prof) == 7 && stacks__total(before) == 3,
	   "second count to the profile, first to before");
	stacks__free(prof);
	stacks__free(before);

	prof = stacks__new();
	is_int(read_text(prof, "frame with spaces;x y 9\n", false, NULL), 0, "spaces in frames");
	out = write_text(prof, 0);
	is_str(out, "frame with spaces;x y 9\n", "spaces preserved");
	free(out);
	stacks__free(prof);
}

static void test_util(void)
{
	unsigned long long v;
	long l;
	struct out_file of;
	char path[] = "/tmp/bpflame-test-XXXXXX", file[64];

	ok(!parse_hex_u64("0x4a2f10", &v) && v == 0x4a2f10, "hex with 0x");
	ok(!parse_hex_u64("4A2F10\n", &v) && v == 0x4a2f10, "hex without 0x, newline");
	ok(parse_hex_u64("0xzz", &v) == -EINVAL, "bad hex");
	ok(parse_hex_u64("-1", &v) == -EINVAL, "negative hex");
	ok(parse_long("99", 1, 100, &l) == 0 && l == 99, "decimal");
	ok(parse_long("0", 1, 100, &l) == -EINVAL, "below min");
	ok(parse_long("12abc", 1, 100, &l) == -EINVAL, "trailing junk");

	ok(mkdtemp(path) != NULL, "temp dir");
	snprintf(file, sizeof(file), "%s/out.folded", path);
	ok(!out_file__open(&of, file), "out_file__open");
	fputs("partial", of.stream);
	ok(access(file, F_OK) != 0, "nothing at the final path before commit");
	out_file__abort(&of);
	ok(access(file, F_OK) != 0, "nothing after abort");
	ok(!out_file__open(&of, file), "open again");
	fputs("done\n", of.stream);
	ok(!out_file__commit(&of) && access(file, F_OK) == 0, "file appears on commit");
	unlink(file);
	ok(rmdir(path) == 0, "no temporary file left behind");

	/* A device is written in place: renaming over /dev/null would replace
	 * the device node with a regular file. */
	struct stat st;

	ok(!out_file__open(&of, "/dev/null"), "open /dev/null");
	fputs("x\n", of.stream);
	ok(!out_file__commit(&of), "commit /dev/null");
	ok(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode), "/dev/null is still a device");
}

int main(void)
{
	test_roundtrip_merge_sort();
	test_shared_prefixes();
	test_merge_by_label();
	test_kinds();
	test_separator_in_names();
	test_counts_and_bad_lines();
	test_util();
	return done_testing();
}
