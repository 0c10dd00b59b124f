/*
 * commands.h: the subcommands of bpflame. Each takes the arguments after its
 * name (argv[0] is the subcommand name) and returns the process exit status:
 * 0 success, 1 runtime failure, 2 usage or input error (see util.h).
 */
#ifndef BPFLAME_COMMANDS_H
#define BPFLAME_COMMANDS_H

int cmd_record(int argc, char **argv);    /* cmd/record.c */
int cmd_symbolize(int argc, char **argv); /* cmd/symbolize.c */
int cmd_svg(int argc, char **argv);       /* cmd/svg.c */
int cmd_diff(int argc, char **argv);      /* cmd/svg.c */
int cmd_merge(int argc, char **argv);     /* cmd/merge.c */
int cmd_convert(int argc, char **argv);   /* cmd/convert.c */
int cmd_report(int argc, char **argv);    /* cmd/report.c */

#endif /* BPFLAME_COMMANDS_H */
