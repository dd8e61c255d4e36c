/* help.h — help() and ?name: documentation from the docs/lua pages, built in.
 *
 * The Markdown pages are the one source: the build embeds them (tools/
 * embed_docs.lua) and this file indexes their headings and table rows that
 * name a function (`lab.read_csv(...)`, `df:head([n])`, `c:mean()`), so help()
 * and docs/ can never disagree. */
#ifndef LAB_HELP_H
#define LAB_HELP_H

#include "lab_lua.h"

/* The documentation for a query: a name ("read_csv", "lab.read_csv",
 * "df:head", "head") or "" for the overview. Returns a new string the caller
 * frees; a query that matches nothing gets a line saying so, with the
 * closest names. */
char *lab_help_text(lua_State *L, const char *query);

/* The qualified name of the function at idx ("lab.read_csv", "df:head",
 * "c:mean"), found by looking through the lab table and the method tables;
 * writes it into buf and returns 1, or returns 0. Runs no user code. */
int lab_help_name_of(lua_State *L, int idx, char *buf, size_t cap);

/* Every documented name, for tests: pushes a list. */
void lab_open_help(lua_State *L);

/* Set by the generated docs.c: the pages, concatenated. */
extern const char lab_docs_md[];

#endif
