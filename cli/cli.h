/* cli.h — the command-line faces of the tracking store: `lab runs` and
 * `lab models`. Plain C over engine/ (no Lua, no curses): they open the store
 * read-only (listing never creates one), print tables for people and JSON
 * (--json) for scripts, and follow lab's exit codes: 0 success, 1 a failure
 * of the work (no such run or model, an unreadable store), 2 bad usage. */
#ifndef LAB_CLI_H
#define LAB_CLI_H

/* `lab runs [list|show|compare|export] ...`; argv[0] is "runs". */
int lab_runs_main(int argc, char **argv);

/* `lab models [list|show NAME] ...`; argv[0] is "models". */
int lab_models_main(int argc, char **argv);

#endif
