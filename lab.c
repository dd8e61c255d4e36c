/* lab.c — the `lab` command: one binary, subcommands.
 *
 * Each subcommand is a function from argv to an exit status: 0 success, 1 a
 * failure of the work (bad input, a failed script), 2 bad usage. Errors go to
 * stderr as one line naming the file and place at fault. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lab_lua.h"
#include "notebook.h"
#include "repl.h"
#include "tui.h"

static const char usage[] =
    "usage: lab <command> [arguments]\n"
    "\n"
    "lab is a terminal workbench for machine-learning experiments: data frames,\n"
    "statistics and models from Lua.\n"
    "\n"
    "commands:\n"
    "  [FILE.csv | NOTEBOOK.lua] the workbench: REPL, data viewer, plots, notebook (on a\n"
    "                           terminal); a notebook without a terminal runs as lab run\n"
    "  repl                     the Lua REPL with lab loaded (also `lab` without a terminal)\n"
    "  run NOTEBOOK.lua [--param k=v ...] [--report FILE.html|.md|.ipynb]\n"
    "                           run a notebook or script headless, cell by cell, recorded\n"
    "                           as a tracked run (--no-track: not recorded)\n"
    "  reproduce RUN [--tol X]  re-run a recorded run's notebook on its data; compare metrics\n"
    "  runs [list|show RUN|compare RUN RUN ...|export --mlflow DIR]\n"
    "                           the tracked runs: list, details, side by side, MLflow export\n"
    "  models [list|show NAME]  the model registry: models, versions and aliases\n"
    "  --help                   this help; `lab CMD --help` for one command\n"
    "  --version                the version\n"
    "\n"
    "The Lua API is described in docs/README.md. From stock Lua: require \"lab\".\n";

/* `lab run`: the headless notebook host (scripting/run.c). */
static int cmd_run(int argc, char **argv) { return lab_run_main(argc, argv); }

int main(int argc, char **argv) {
    /* `lab` alone: the workbench on a terminal, the REPL otherwise */
    if (argc < 2) {
        if (isatty(0) && isatty(1)) return tui_main(1, argv);
        return lab_repl_main(1, (char *[]){"repl", NULL});
    }
    if (strcmp(argv[1], "repl") == 0) return lab_repl_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("lab %s (%s, SQLite and the lab engine)\n", LAB_VERSION, LUA_RELEASE);
        return 0;
    }
    if (strcmp(argv[1], "run") == 0) return cmd_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "runs") == 0) return lab_runs_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "models") == 0) return lab_models_main(argc - 1, argv + 1);
    if (strcmp(argv[1], "reproduce") == 0) return lab_reproduce_main(argc - 1, argv + 1);
    /* `lab data.csv`: the workbench with that file open */
    size_t alen = strlen(argv[1]);
    if (alen > 4 && strcmp(argv[1] + alen - 4, ".csv") == 0 && isatty(0) && isatty(1)) return tui_main(argc, argv);
    /* `lab notebook.lua`: the workbench with the notebook's cells listed */
    if (alen > 4 && strcmp(argv[1] + alen - 4, ".lua") == 0 && isatty(0) && isatty(1)) return tui_main(argc, argv);
    /* without a terminal there is no workbench: a notebook runs headless */
    if (alen > 4 && strcmp(argv[1] + alen - 4, ".lua") == 0) return cmd_run(argc, argv);
    if (alen > 4 && strcmp(argv[1] + alen - 4, ".csv") == 0) {
        fprintf(stderr, "lab: %s: the workbench needs a terminal (without one, try lab repl)\n", argv[1]);
        return 2;
    }
    fprintf(stderr, "lab: unknown command '%s' (try lab --help)\n", argv[1]);
    return 2;
}
