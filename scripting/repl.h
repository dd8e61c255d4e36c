/* repl.h — `lab repl`, the readline REPL. */
#ifndef LAB_REPL_H
#define LAB_REPL_H

#include "lab_lua.h"

/* Run the REPL (argv[0] is "repl"); returns the exit status. */
int lab_repl_main(int argc, char **argv);

/* Readline's Tab completion for the session L (globals, fields, methods,
 * frame columns, file names in strings); the workbench uses it too. */
void repl_setup_completion(lua_State *L);

#endif
