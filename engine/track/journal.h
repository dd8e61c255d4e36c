/* journal.h — the session journal: every chunk an interactive session runs,
 * appended to <store>/sessions/<id>.lua as it runs, so that a crash or a kill
 * loses nothing and the next start can offer to restore the session.
 *
 * The journal is a percent-format notebook (docs/notebooks.md): a markdown
 * header cell, then one code cell per chunk whose marker line carries when it
 * ran and how long it took ("-- %% 2025-05-01 12:00:05 (0.002s)"). A chunk
 * that failed keeps its cell with " failed" at the end of the marker and every
 * line commented out ("-- "), so the file still runs with `lab run` and a
 * restore skips it. A chunk line that would read as a cell marker ("-- %%",
 * after any spaces) gets one more leading space; reading takes it off again, so
 * a chunk comes back exactly as it was typed. A clean close appends a markdown
 * cell "-- %% [markdown] session closed"; a journal without it, whose file no
 * live process holds locked (flock), belongs to a session that died.
 *
 * Each chunk is written with one write(2) on a file opened O_APPEND, so the
 * bytes are in the kernel when journal_append returns and a kill -9 of the
 * process loses nothing; fdatasync (which also survives a power cut) is
 * skipped when the last one was less than a second ago, so a burst of chunks
 * (a restore) is not slowed to the disk's pace. */
#ifndef LAB_JOURNAL_H
#define LAB_JOURNAL_H

#include <stddef.h>

#include "util/util.h"

typedef struct journal journal;

/* The project store: $LAB_HOME when set and not empty, else ".lab" (in the
 * working directory). A static string; do not free. */
const char *journal_store_dir(void);

/* Start a new journal in store_dir/sessions/ (both made as needed) with a
 * fresh short id (6 hex digits from the time and random bits, unique in the
 * folder), write its header and lock it for this process. Returns the journal
 * (free with journal_close), or NULL with e naming the path and the reason. */
journal *journal_open(const char *store_dir, lab_err *e);

/* The session's id ("7f3a2c") and the journal's path; owned by j. */
const char *journal_id(const journal *j);
const char *journal_path(const journal *j);

/* Append one chunk that ran: its text, whether it failed and its wall time.
 * A chunk of only white space is not recorded. Returns 0, or -1 with e naming
 * the path (the journal stays usable; the chunk may be missing from it). */
int journal_append(journal *j, const char *chunk, int failed, double seconds, lab_err *e);

/* Close and free j (NULL is fine). clean: the session ended as the user asked,
 * so the journal is marked closed and never offered for restore; 0 leaves it
 * as a crash would (for tests and fatal paths). */
void journal_close(journal *j, int clean);

/* The path of the most recently written journal in store_dir/sessions/ that
 * was not closed, is not held by a live process and has at least one chunk
 * that succeeded; NULL when there is none. The caller frees the result. */
char *journal_find_unfinished(const char *store_dir);

/* Append a "session closed" cell to the journal at path with a note (such as
 * "restored into 7f3a2c" or "not restored"), so it is no longer offered.
 * Returns 0, or -1 with e naming the path. */
int journal_mark_closed(const char *path, const char *note, lab_err *e);

/* One chunk read back from a journal. */
typedef struct journal_entry {
    char *chunk; /* the text as it was typed (markers unescaped, failed ones uncommented) */
    char *when;  /* the cell's marker title: "2025-05-01 12:00:05 (0.002s)" */
    int failed;
} journal_entry;

typedef struct journal_log {
    char *id; /* from the file name */
    journal_entry *entries;
    size_t n;
    size_t nok; /* entries that succeeded */
    int closed; /* the journal has a "session closed" cell */
} journal_log;

/* Read the journal at path. Returns a log the caller frees with
 * journal_log_free, or NULL with e naming the path. */
journal_log *journal_read(const char *path, lab_err *e);
void journal_log_free(journal_log *log);

/* 1 when the chunk is only a call (one line) of lab.save_notebook, lab.promote,
 * lab.register or lab.alias, its results possibly kept ("id = lab.promote()",
 * "local v = lab.register(...)"): such chunks are left out of saved and promoted
 * notebooks and restores (re-running one would overwrite a saved notebook or
 * make another run or model version, and outside a session some fail). */
int journal_chunk_is_save(const char *chunk);

/* The question a host asks before a restore, one line without a newline that
 * fits 80 columns with " [y/N] " after it: "Session 7f3a2c did not end
 * cleanly (12 chunks, last at 12:03). Restore?" (the date too when it was
 * not today). NULL when the journal cannot be read. The caller frees it. */
char *journal_describe(const char *path);

/* Write the successful chunks of the journal at journal_path as a notebook at
 * out_path: a markdown header, then one "-- %%" cell per chunk. Written to a
 * temporary file in the same folder, synced and renamed, so a failure leaves
 * no half file. Returns the number of cells written, or -1 with e naming the
 * path at fault. */
int journal_write_notebook(const char *journal_path, const char *out_path, lab_err *e);
/* The same, its header naming what wrote it. For "lab.promote" only chunks of
 * lab.save_notebook are left out (promote, register and alias calls stay:
 * later chunks may use their results). */
int journal_write_notebook_as(const char *journal_path, const char *out_path, const char *by, lab_err *e);

#endif
