/* report.c — choosing a report format by extension and writing the report.
 *
 * The report is rendered in memory and written to a temporary file beside the
 * target, then renamed over it: a run that fails half-way through writing
 * leaves the previous report (or none), never half of one. Markdown images
 * are plain files in "<report>_files/", written before the report that links
 * to them. */
#include "notebook.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report.h"

void notebook_render(const notebook *nb, nb_format fmt, const char *files_prefix, strbuf *out) {
    switch (fmt) {
    case NB_FORMAT_HTML: report_html(nb, out); break;
    case NB_FORMAT_MARKDOWN: report_markdown(nb, files_prefix, out); break;
    case NB_FORMAT_IPYNB: report_ipynb(nb, out); break;
    case NB_FORMAT_NONE: break;
    }
}

/* Write len bytes to path through a temporary file and a rename. */
static int write_file(const char *path, const char *data, size_t len, lab_err *e) {
    char tmp[4096];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid()) >= sizeof tmp)
        return lab_fail(e, "cannot write %s: the path is too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return lab_fail(e, "cannot write %s: %s", path, strerror(errno));
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) goto fail;
        done += (size_t)w;
    }
    if (fsync(fd) != 0 && errno != EINVAL) goto fail;
    if (close(fd) != 0) {
        fd = -1;
        goto fail;
    }
    if (rename(tmp, path) != 0) {
        fd = -1;
        goto fail;
    }
    return 0;
fail:;
    int err = errno;
    if (fd >= 0) close(fd);
    unlink(tmp);
    return lab_fail(e, "cannot write %s: %s", path, strerror(err ? err : EIO));
}

int notebook_write_report(const notebook *nb, const char *path, lab_err *e) {
    nb_format fmt = notebook_format_of(path);
    if (fmt == NB_FORMAT_NONE)
        return lab_fail(e, "%s: unknown report format (the name must end in .html, .md or .ipynb)", path);
    strbuf dir = {0}, body = {0};
    int status = -1;
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    /* "out/r.md" -> images in "out/r_files", linked as "r_files/..." */
    strbuf_add(&dir, path, (size_t)(dot - path));
    strbuf_adds(&dir, "_files");
    const char *prefix = dir.s + (base - path);
    if (fmt == NB_FORMAT_MARKDOWN) {
        for (size_t i = 0; i < nb->nshow && i < nb->ncell; i++) {
            const nb_cell *c = &nb->cells[i];
            int img = 0;
            for (size_t k = 0; k < c->nout; k++) {
                if (c->outs[k].kind != NB_OUT_IMAGE) continue;
                if (img == 0 && mkdir(dir.s, 0777) != 0 && errno != EEXIST) {
                    lab_fail(e, "cannot write %s: cannot make %s: %s", path, dir.s, strerror(errno));
                    goto done;
                }
                char name[64];
                snprintf(name, sizeof name, "/cell%d-%d.png", REPORT_CELL_NUMBER(nb, c), ++img);
                strbuf file = {0};
                strbuf_adds(&file, dir.s);
                strbuf_adds(&file, name);
                int rc = write_file(file.s, c->outs[k].text, c->outs[k].len, e);
                free(file.s);
                if (rc != 0) goto done;
            }
        }
    }
    notebook_render(nb, fmt, prefix, &body);
    status = write_file(path, body.s ? body.s : "", body.n, e);
done:
    free(dir.s);
    free(body.s);
    return status;
}
