/* lua_journal.h — the session journal seen from a host's Lua state: start it,
 * record each chunk that ran, restore a dead session, and lab.save_notebook.
 *
 * A host (the workbench, `lab repl` on a terminal) does, in order:
 *
 *     char *old = journal_find_unfinished(NULL);      // a session that died?
 *     lab_journal_start(L, NULL, &e);                  // this session's journal
 *     if (old && user says yes) journal_replay(L, old, cb, ud, &e);
 *     else if (old) journal_mark_closed(old, "not restored", &e);
 *     ... session_out.ran = a function calling lab_journal_record(L, ...) ...
 *     lab_journal_stop(L, 1);                          // on a normal quit
 *
 * The file format and the engine side are in engine/track/journal.h. */
#ifndef LAB_LUA_JOURNAL_H
#define LAB_LUA_JOURNAL_H

#include "lab_lua.h"
#include "track/journal.h"

/* Open a new journal in store_dir (NULL: journal_store_dir()) and attach it to
 * L; a journal already attached is closed cleanly first. It also turns
 * tracking on for the session (lua_track.h): its records go to a run named
 * "session <id>" in store_dir/lab.db, opened at the first record (a store
 * that cannot be opened is one warning on stderr). Returns 0, or -1 with e
 * naming the path (the session then runs without a journal). */
int lab_journal_start(lua_State *L, const char *store_dir, lab_err *e);

/* The journal attached to L, or NULL (its id is what the status line shows). */
journal *lab_journal_of(lua_State *L);

/* Record a chunk that ran in L's journal (and commit the metric points it
 * logged): what a host's session_out.ran calls. Does nothing and returns 0 when L has no journal; -1 with e when the
 * write failed. */
int lab_journal_record(lua_State *L, const char *chunk, int failed, double seconds, lab_err *e);

/* Detach and close L's journal and end the session's run (finished when
 * clean, else killed); clean: mark it closed (a normal quit), so it
 * is never offered for restore. Nothing happens when there is none. If a host
 * never calls this, lua_close() closes the journal as a crash would. */
void lab_journal_stop(lua_State *L, int clean);

/* Called after each chunk a restore re-ran: its 1-based index among the
 * `total` chunks to re-run, its text, whether it failed now and the error
 * (with traceback; NULL when it did not fail), its wall time. Return nonzero
 * to stop the restore. */
typedef int (*journal_replay_fn)(void *ud, int index, int total, const char *chunk, int failed, const char *error,
                                 double seconds);

/* Restore the journal at path into L: mark it closed ("restored into session
 * <id>", before anything runs, so a chunk that crashes lab is not offered
 * again), then re-run its successful chunks in order with the REPL's rules
 * (session_eval), recording each in L's own journal. A chunk that fails now is
 * reported and the restore goes on; Ctrl-C (an interrupted chunk) or cb
 * returning nonzero stops it. Results are not printed; what chunks print goes
 * to stdout as usual. Returns the number of chunks that failed, or -1 with e
 * when the journal could not be read or marked. cb may be NULL. */
int journal_replay(lua_State *L, const char *path, journal_replay_fn cb, void *ud, lab_err *e);

#endif
