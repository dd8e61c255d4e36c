/* journal.c — the session journal (see journal.h for the file's format).
 *
 * Writing is one write(2) per chunk on an O_APPEND descriptor, with no stdio
 * buffer in between, so nothing waits in the process when it is killed; an
 * fdatasync at most once a second covers power cuts without making a burst of
 * chunks wait on the disk. Reading goes through the notebook parser, so the
 * journal and `lab run` can never disagree on where cells are. A live session
 * holds an exclusive flock on its journal (O_CLOEXEC, so servers it starts do
 * not inherit it): a journal nobody locks and nobody closed is one whose
 * session died. */
#include "track/journal.h"

#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "notebook/notebook.h"

#define CLOSED_MARK "-- %% [markdown] session closed"

struct journal {
    int fd;
    char *path;
    char id[8];
    double last_sync;
};

const char *journal_store_dir(void) {
    const char *home = getenv("LAB_HOME");
    return home && *home ? home : ".lab";
}

/* Write all of len bytes, through short writes and signals. */
static int write_all(int fd, const char *s, size_t len) {
    while (len > 0) {
        ssize_t w = write(fd, s, len);
        if (w < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        s += w;
        len -= (size_t)w;
    }
    return 0;
}

static void local_time(char *buf, size_t cap, time_t t) {
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%d %H:%M:%S", &tm);
}

/* "-- %%" after any spaces, then the end or white space: a line the parser
 * would take for a marker once the spaces are gone. */
static int looks_like_marker(const char *s, size_t len, size_t *spaces) {
    size_t i = 0;
    while (i < len && s[i] == ' ') i++;
    *spaces = i;
    return len - i >= 5 && memcmp(s + i, "-- %%", 5) == 0 && (len - i == 5 || s[i + 5] == ' ' || s[i + 5] == '\t');
}

/* Append chunk to b as a cell body: lines ending "\n", "\r\n" or "\r" become
 * "\n" lines (Lua reads all of them as one line break); failed chunks are
 * commented out, marker-like lines of others get one more space. */
static void add_body(strbuf *b, const char *chunk, int commented) {
    const char *s = chunk;
    for (;;) {
        size_t len = strcspn(s, "\r\n");
        size_t spaces;
        if (commented)
            strbuf_adds(b, len ? "-- " : "--");
        else if (looks_like_marker(s, len, &spaces))
            strbuf_add(b, " ", 1);
        strbuf_add(b, s, len);
        strbuf_add(b, "\n", 1);
        s += len;
        if (!*s) break;
        if (s[0] == '\r' && s[1] == '\n') s++;
        s++;
        if (!*s) break;
    }
}

static int is_blank_text(const char *s) {
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r' && *s != '\f' && *s != '\v') return 0;
    return 1;
}

static void new_id(char *id) {
    uint32_t r = 0;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) r = (uint32_t)getpid() * 2654435761u;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint32_t t = (uint32_t)ts.tv_sec * 2246822519u ^ (uint32_t)ts.tv_nsec;
    snprintf(id, 8, "%06x", (unsigned)((t ^ r) & 0xffffff));
}

journal *journal_open(const char *store_dir, lab_err *e) {
    strbuf dir = {0};
    strbuf_adds(&dir, store_dir && *store_dir ? store_dir : journal_store_dir());
    strbuf_adds(&dir, "/sessions");
    if (lab_make_dirs(dir.s, e) != 0) {
        free(dir.s);
        return NULL;
    }
    journal *j = xcalloc(1, sizeof *j);
    j->fd = -1;
    for (int tries = 0; tries < 100 && j->fd < 0; tries++) {
        new_id(j->id);
        free(j->path);
        size_t n = dir.n + 16;
        j->path = xmalloc(n);
        snprintf(j->path, n, "%s/%s.lua", dir.s, j->id);
        /* 0600: a journal holds whatever was typed, tokens included */
        j->fd = open(j->path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
        if (j->fd < 0 && errno != EEXIST) break;
    }
    free(dir.s);
    if (j->fd < 0) {
        lab_fail(e, "%s: cannot create the session journal: %s", j->path, strerror(errno));
        goto fail;
    }
    if (flock(j->fd, LOCK_EX | LOCK_NB) != 0) {
        lab_fail(e, "%s: cannot lock the session journal: %s", j->path, strerror(errno));
        goto fail;
    }
    char when[32], cwd[1024];
    local_time(when, sizeof when, time(NULL));
    if (!getcwd(cwd, sizeof cwd)) snprintf(cwd, sizeof cwd, "?");
    strbuf h = {0};
    strbuf_adds(&h, "-- %% [markdown]\n-- # lab session ");
    strbuf_adds(&h, j->id);
    strbuf_adds(&h, "\n-- Started ");
    strbuf_adds(&h, when);
    strbuf_adds(&h, " in ");
    strbuf_add(&h, cwd, strcspn(cwd, "\r\n"));
    strbuf_adds(&h, "\n-- One cell per chunk that ran, with when it ran and how long it took;\n"
                    "-- failed chunks are commented out.\n\n");
    int w = write_all(j->fd, h.s, h.n);
    free(h.s);
    if (w != 0) {
        lab_fail(e, "%s: cannot write the session journal: %s", j->path, strerror(errno));
        goto fail;
    }
    j->last_sync = -10;
    return j;
fail:
    if (j->fd >= 0) {
        close(j->fd);
        unlink(j->path);
    }
    free(j->path);
    free(j);
    return NULL;
}

const char *journal_id(const journal *j) { return j->id; }
const char *journal_path(const journal *j) { return j->path; }

int journal_append(journal *j, const char *chunk, int failed, double seconds, lab_err *e) {
    if (is_blank_text(chunk)) return 0;
    if (!(seconds >= 0)) seconds = 0;
    char when[32], head[96];
    local_time(when, sizeof when, time(NULL) - (time_t)seconds);
    snprintf(head, sizeof head, "-- %%%% %s (%.3fs)%s\n", when, seconds, failed ? " failed" : "");
    strbuf b = {0};
    strbuf_adds(&b, head);
    add_body(&b, chunk, failed);
    strbuf_add(&b, "\n", 1);
    int w = write_all(j->fd, b.s, b.n);
    free(b.s);
    if (w != 0) return lab_fail(e, "%s: cannot append to the session journal: %s", j->path, strerror(errno));
    double now = lab_now();
    if (now - j->last_sync >= 1.0) {
        fdatasync(j->fd);
        j->last_sync = now;
    }
    return 0;
}

static int append_closed(int fd, const char *note) {
    char when[32];
    local_time(when, sizeof when, time(NULL));
    strbuf b = {0};
    strbuf_adds(&b, CLOSED_MARK "\n-- ");
    strbuf_adds(&b, when);
    if (note && *note) {
        strbuf_adds(&b, ": ");
        strbuf_add(&b, note, strcspn(note, "\r\n"));
    }
    strbuf_add(&b, "\n", 1);
    int w = write_all(fd, b.s, b.n);
    free(b.s);
    if (w == 0) fdatasync(fd);
    return w;
}

void journal_close(journal *j, int clean) {
    if (!j) return;
    if (clean) append_closed(j->fd, "the session ended");
    close(j->fd);
    free(j->path);
    free(j);
}

int journal_mark_closed(const char *path, const char *note, lab_err *e) {
    int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd < 0) return lab_fail(e, "%s: cannot open the session journal: %s", path, strerror(errno));
    int w = append_closed(fd, note);
    int err = errno;
    close(fd);
    if (w != 0) return lab_fail(e, "%s: cannot write the session journal: %s", path, strerror(err));
    return 0;
}

/* ---- reading -------------------------------------------------------------- */


/* The chunk as typed, from a cell's source. */
static char *decode_body(const char *src, int failed) {
    strbuf b = {0};
    const char *s = src;
    for (;;) {
        size_t len = strcspn(s, "\n");
        const char *l = s;
        size_t spaces;
        if (failed) {
            if (len >= 2 && l[0] == '-' && l[1] == '-') {
                l += 2, len -= 2;
                if (len && l[0] == ' ') l++, len--;
            }
        } else if (looks_like_marker(l, len, &spaces) && spaces > 0)
            l++, len--;
        strbuf_add(&b, l, len);
        s += strcspn(s, "\n");
        if (!*s) break;
        strbuf_add(&b, "\n", 1);
        s++;
    }
    return b.s ? b.s : xstrdup("");
}

static int ends_with(const char *s, const char *tail) {
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

static char *id_of(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".lua") == 0) n -= 4;
    return xstrndup(base, n);
}

journal_log *journal_read(const char *path, lab_err *e) {
    size_t len;
    char *text = lab_read_file(path, &len, e);
    if (!text) return NULL;
    notebook *nb = notebook_parse(text, len, path);
    free(text);
    journal_log *log = xcalloc(1, sizeof *log);
    log->id = id_of(path);
    log->entries = xcalloc(nb->ncell ? nb->ncell : 1, sizeof *log->entries);
    for (size_t i = 0; i < nb->ncell; i++) {
        const nb_cell *c = &nb->cells[i];
        if (c->kind == NB_CELL_MARKDOWN) {
            if (strncmp(c->title, "session closed", 14) == 0) log->closed = 1;
            continue;
        }
        if (c->marker_line == 0) continue; /* text before the header: not ours */
        journal_entry *en = &log->entries[log->n++];
        en->failed = ends_with(c->title, " failed");
        en->chunk = decode_body(c->src, en->failed);
        en->when = xstrdup(c->title);
        if (!en->failed) log->nok++;
    }
    notebook_free(nb);
    return log;
}

void journal_log_free(journal_log *log) {
    if (!log) return;
    for (size_t i = 0; i < log->n; i++) {
        free(log->entries[i].chunk);
        free(log->entries[i].when);
    }
    free(log->entries);
    free(log->id);
    free(log);
}

/* 1 when the chunk is one line calling one of calls (its results possibly kept). */
static int chunk_only_calls(const char *chunk, const char *const *calls) {
    const char *s = chunk;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
    /* the call may keep its result: "id = lab.promote()", "local v, w = ..." */
    const char *t = s;
    if (strncmp(t, "local", 5) == 0 && (t[5] == ' ' || t[5] == '\t')) t += 5;
    for (;;) {
        while (*t == ' ' || *t == '\t') t++;
        if (!(isalpha((unsigned char)*t) || *t == '_')) break;
        while (isalnum((unsigned char)*t) || *t == '_') t++;
        while (*t == ' ' || *t == '\t') t++;
        if (*t == ',') {
            t++;
            continue;
        }
        if (*t == '=' && t[1] != '=') {
            s = t + 1;
            while (*s == ' ' || *s == '\t') s++;
        }
        break;
    }
    size_t k = 0;
    while (calls[k] && strncmp(s, calls[k], strlen(calls[k])) != 0) k++;
    if (!calls[k]) return 0;
    s += strlen(calls[k]);
    while (*s == ' ' || *s == '\t') s++;
    if (*s != '(' && *s != '"' && *s != '\'' && *s != '{') return 0;
    /* one line only: a longer chunk does other work too */
    const char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r')) end--;
    for (const char *p = s; p < end; p++)
        if (*p == '\n' || *p == '\r') return 0;
    return 1;
}

int journal_chunk_is_save(const char *chunk) {
    /* calls that act on the session or the store rather than compute: re-running
     * one would save, promote or register a second time */
    static const char *const calls[] = {"lab.save_notebook", "lab.promote", "lab.register", "lab.alias", NULL};
    return chunk_only_calls(chunk, calls);
}

/* For a promoted notebook only lab.save_notebook goes: promote, register and
 * alias stay, because later chunks may use what they returned; run headless
 * they answer for the notebook's own run (docs/lua/track.md). */
static int chunk_is_save_notebook(const char *chunk) {
    static const char *const calls[] = {"lab.save_notebook", NULL};
    return chunk_only_calls(chunk, calls);
}

/* The last modification time of path, or -1. */
static double mtime_of(const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    return (double)st.st_mtim.tv_sec + st.st_mtim.tv_nsec * 1e-9;
}

/* 1 when a live process holds path's lock. */
static int is_locked(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 1; /* unreadable: leave it alone */
    int held = flock(fd, LOCK_SH | LOCK_NB) != 0;
    close(fd);
    return held;
}

/* Quick test: the last marker line in the file's tail is a "session closed"
 * one (chunk lines never read as markers, so the last marker is ours). */
static int tail_closed(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    char buf[4097];
    long start = 0;
    if (fseek(f, 0, SEEK_END) == 0) {
        long size = ftell(f);
        start = size > 4096 ? size - 4096 : 0;
    }
    fseek(f, start, SEEK_SET);
    size_t n = fread(buf, 1, 4096, f);
    fclose(f);
    buf[n] = '\0';
    const char *last = NULL;
    for (const char *p = buf; (p = strstr(p, "-- %%")) != NULL; p++)
        if (p == buf ? start == 0 : p[-1] == '\n') last = p;
    return last && strncmp(last, CLOSED_MARK, strlen(CLOSED_MARK)) == 0;
}

char *journal_find_unfinished(const char *store_dir) {
    strbuf dir = {0};
    strbuf_adds(&dir, store_dir && *store_dir ? store_dir : journal_store_dir());
    strbuf_adds(&dir, "/sessions");
    DIR *d = opendir(dir.s);
    if (!d) {
        free(dir.s);
        return NULL;
    }
    char *best = NULL;
    double best_time = -1;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 5 || strcmp(de->d_name + n - 4, ".lua") != 0 || de->d_name[0] == '.') continue;
        size_t plen = dir.n + n + 2;
        char *path = xmalloc(plen);
        snprintf(path, plen, "%s/%s", dir.s, de->d_name);
        double t = mtime_of(path);
        if (t > best_time && !tail_closed(path) && !is_locked(path)) {
            journal_log *log = journal_read(path, NULL);
            size_t useful = 0;
            for (size_t i = 0; log && i < log->n; i++)
                if (!log->entries[i].failed && !journal_chunk_is_save(log->entries[i].chunk)) useful++;
            if (log && !log->closed && useful > 0) {
                free(best);
                best = path;
                path = NULL;
                best_time = t;
            }
            journal_log_free(log);
        }
        free(path);
    }
    closedir(d);
    free(dir.s);
    return best;
}

char *journal_describe(const char *path) {
    journal_log *log = journal_read(path, NULL);
    if (!log) return NULL;
    const char *last = NULL;
    size_t n = 0;
    for (size_t i = 0; i < log->n; i++)
        if (!log->entries[i].failed && !journal_chunk_is_save(log->entries[i].chunk)) {
            last = log->entries[i].when;
            n++;
        }
    /* "YYYY-MM-DD HH:MM": only the time when it is today's */
    char today[32], when[32] = "?";
    local_time(today, sizeof today, time(NULL));
    if (last && strlen(last) >= 16)
        snprintf(when, sizeof when, "%.*s", 16 - (strncmp(last, today, 11) == 0 ? 11 : 0),
                 last + (strncmp(last, today, 11) == 0 ? 11 : 0));
    char buf[256];
    snprintf(buf, sizeof buf, "Session %s did not end cleanly (%zu chunk%s, last at %s). Restore?", log->id, n,
             n == 1 ? "" : "s", when);
    journal_log_free(log);
    return xstrdup(buf);
}

int journal_write_notebook(const char *journal_path, const char *out_path, lab_err *e) {
    return journal_write_notebook_as(journal_path, out_path, "lab.save_notebook", e);
}

int journal_write_notebook_as(const char *journal_path, const char *out_path, const char *by, lab_err *e) {
    journal_log *log = journal_read(journal_path, e);
    if (!log) return -1;
    int promote = strcmp(by, "lab.promote") == 0;
    char when[32];
    local_time(when, sizeof when, time(NULL));
    strbuf b = {0};
    strbuf_adds(&b, "-- %% [markdown]\n-- # Session ");
    strbuf_adds(&b, log->id);
    strbuf_adds(&b, "\n-- Written by ");
    strbuf_adds(&b, by);
    strbuf_adds(&b, " on ");
    strbuf_adds(&b, when);
    strbuf_adds(&b, ": the chunks of the session that ran\n-- without error, in order.\n");
    int cells = 0;
    for (size_t i = 0; i < log->n; i++) {
        const journal_entry *en = &log->entries[i];
        if (en->failed || (promote ? chunk_is_save_notebook(en->chunk) : journal_chunk_is_save(en->chunk))) continue;
        strbuf_adds(&b, "\n-- %%\n");
        add_body(&b, en->chunk, 0);
        cells++;
    }
    journal_log_free(log);

    size_t tn = strlen(out_path) + 32;
    char *tmp = xmalloc(tn);
    snprintf(tmp, tn, "%s.tmp%ld", out_path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        lab_fail(e, "%s: cannot write the notebook: %s", out_path, strerror(errno));
        goto fail;
    }
    if (write_all(fd, b.s, b.n) != 0 || fsync(fd) != 0) {
        lab_fail(e, "%s: cannot write the notebook: %s", out_path, strerror(errno));
        close(fd);
        unlink(tmp);
        goto fail;
    }
    close(fd);
    if (rename(tmp, out_path) != 0) {
        lab_fail(e, "%s: cannot write the notebook: %s", out_path, strerror(errno));
        unlink(tmp);
        goto fail;
    }
    free(tmp);
    free(b.s);
    return cells;
fail:
    free(tmp);
    free(b.s);
    return -1;
}
