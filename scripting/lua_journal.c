/* lua_journal.c — the session journal's Lua face: the journal a host attaches
 * to its Lua state, lab.save_notebook, and the restore of a journal by
 * re-running its chunks (see engine/track/journal.h for the file).
 *
 * The journal belongs to the state, not to a global: the host starts it with
 * lab_journal_start() and the state's registry holds it in a userdata whose
 * __gc closes it as a crash would (not marked closed), so only a host that
 * ends the session on purpose (lab_journal_stop(L, 1)) marks it finished.
 * Restoring re-runs chunks through session_eval(), the REPL's own rules, so a
 * chunk means on restore exactly what it meant when it was typed. */
#include "lua_journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lua_track.h"
#include "session.h"

#define LAB_JOURNAL "lab.Journal"     /* the userdata's metatable */
#define LAB_JOURNAL_KEY "lab.journal" /* the registry field holding it */

typedef struct ljournal {
    journal *j;
} ljournal;

static ljournal *attached(lua_State *L) {
    lua_getfield(L, LUA_REGISTRYINDEX, LAB_JOURNAL_KEY);
    ljournal *u = luaL_testudata(L, -1, LAB_JOURNAL);
    lua_pop(L, 1); /* the registry keeps it alive */
    return u;
}

static int journal_gc(lua_State *L) {
    ljournal *u = luaL_checkudata(L, 1, LAB_JOURNAL);
    journal_close(u->j, 0);
    u->j = NULL;
    return 0;
}

journal *lab_journal_of(lua_State *L) {
    ljournal *u = attached(L);
    return u ? u->j : NULL;
}

int lab_journal_start(lua_State *L, const char *store_dir, lab_err *e) {
    lab_journal_stop(L, 1);
    journal *j = journal_open(store_dir, e);
    if (!j) return -1;
    ljournal *u = lua_newuserdatauv(L, sizeof *u, 0);
    u->j = NULL;
    if (luaL_newmetatable(L, LAB_JOURNAL)) {
        lua_pushcfunction(L, journal_gc);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    u->j = j;
    lua_setfield(L, LUA_REGISTRYINDEX, LAB_JOURNAL_KEY);
    /* a session with a journal is tracked: its fits, data and logs go to a
     * run "session <id>", opened at the first record */
    char name[64];
    snprintf(name, sizeof name, "session %s", journal_id(j));
    lab_track_opts o = {.store_dir = store_dir, .name = name, .source = name, .session = journal_id(j)};
    lab_err te;
    if (lab_track_enable(L, &o, 0, &te) != 0) fprintf(stderr, "lab: %s (this session is not tracked)\n", te.msg);
    return 0;
}

void lab_journal_stop(lua_State *L, int clean) {
    ljournal *u = attached(L);
    if (!u) return;
    lab_err e;
    if (lab_track_finish(L, clean ? RUN_FINISHED : RUN_KILLED, 0, NULL, &e) != 0) fprintf(stderr, "lab: %s\n", e.msg);
    journal_close(u->j, clean);
    u->j = NULL;
    lua_pushnil(L);
    lua_setfield(L, LUA_REGISTRYINDEX, LAB_JOURNAL_KEY);
}

int lab_journal_record(lua_State *L, const char *chunk, int failed, double seconds, lab_err *e) {
    lab_track_flush(L); /* the chunk's metric points are committed with it */
    journal *j = lab_journal_of(L);
    if (!j) return 0;
    return journal_append(j, chunk, failed, seconds, e);
}

/* ---- restore --------------------------------------------------------------- */

typedef struct replay_state {
    lua_State *L;
    strbuf err; /* the last chunk's error message */
    int failed;
    double seconds;
} replay_state;

static void replay_error(void *ud, const char *msg) {
    replay_state *r = ud;
    r->err.n = 0;
    strbuf_adds(&r->err, msg);
}

static void replay_ran(void *ud, const char *chunk, int failed, double seconds) {
    replay_state *r = ud;
    r->failed = failed;
    r->seconds = seconds;
    lab_err e;
    lab_journal_record(r->L, chunk, failed, seconds, &e);
}

int journal_replay(lua_State *L, const char *path, journal_replay_fn cb, void *ud, lab_err *e) {
    journal_log *log = journal_read(path, e);
    if (!log) return -1;
    /* marked first: a chunk that crashes lab must not be offered again and again */
    journal *j = lab_journal_of(L);
    char note[64];
    snprintf(note, sizeof note, j ? "restored into session %s" : "restored", j ? journal_id(j) : "");
    if (journal_mark_closed(path, note, e) != 0) {
        journal_log_free(log);
        return -1;
    }
    int total = 0, index = 0, failures = 0;
    for (size_t i = 0; i < log->n; i++)
        if (!log->entries[i].failed && !journal_chunk_is_save(log->entries[i].chunk)) total++;
    replay_state r = {L, {0}, 0, 0};
    session_out out = {NULL, replay_error, NULL, replay_ran, &r, 0};
    for (size_t i = 0; i < log->n; i++) {
        const journal_entry *en = &log->entries[i];
        if (en->failed || journal_chunk_is_save(en->chunk)) continue;
        index++;
        r.err.n = 0;
        if (r.err.s) r.err.s[0] = '\0';
        r.failed = 0;
        r.seconds = 0;
        session_eval(L, en->chunk, 1, &out);
        if (r.failed) failures++;
        int stop = session_interrupted();
        if (cb && cb(ud, index, total, en->chunk, r.failed, r.failed ? r.err.s : NULL, r.seconds)) stop = 1;
        if (stop) break;
    }
    free(r.err.s);
    journal_log_free(log);
    return failures;
}

/* ---- lab.save_notebook --------------------------------------------------------- */

/* lab.save_notebook(path) -> the number of cells written */
static int l_save_notebook(lua_State *L) {
    const char *path = luaL_checkstring(L, 1);
    journal *j = lab_journal_of(L);
    if (!j)
        return luaL_error(L,
                          "lab.save_notebook: this session keeps no journal (only the workbench and "
                          "`lab repl` on a terminal do); nothing to save to %s",
                          path);
    lab_err e;
    int n = journal_write_notebook(journal_path(j), path, &e);
    if (n < 0) return lab_raise(L, &e);
    lua_pushinteger(L, n);
    return 1;
}

void lab_open_journal(lua_State *L) {
    static const luaL_Reg fns[] = {{"save_notebook", l_save_notebook}, {NULL, NULL}};
    luaL_setfuncs(L, fns, 0);
}
