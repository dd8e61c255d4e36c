/* fuzz_model_file.c — libFuzzer entry point for model_load (model files
 * are untrusted input: engine/learn/model_file.c).
 *
 * Every input is written to a file and loaded. A load must succeed or fail
 * with a one-line message naming the file; a loaded model must then describe
 * itself, hash, and predict (or transform) a small frame built from its own
 * schema (zeros, and the first level of a category) without crashing: the
 * kinds' check functions are what stand between a bad tensor and an
 * out-of-bounds read. A pipeline's steps are applied too. A failed invariant
 * aborts, so libFuzzer keeps the input; copy it under
 * tests/fuzz/regress/model/ and into tests/c/test_transform.c as a test.
 * Seeds: tests/fuzz/corpus/model (a linear model, a logistic classifier and a
 * pipeline, written by tests/fuzz/make_model_seeds.lua). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "learn/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what, const char *msg) {
    fprintf(stderr, "fuzz_model_file: %s: %s\n", what, msg);
    abort();
}

/* The columns a model reads: its schema, or for a pipeline its first step's. */
static frame *frame_for(const model *m) {
    frame *f = frame_new();
    f->nrow = 3;
    for (int s = -1; s < m->nstep; s++) {
        const model *src = s < 0 ? m : m->step[s];
        for (int q = 0; q < src->nfeat; q++) {
            const model_feature *ft = &src->feat[q];
            if (frame_find(f, ft->name) >= 0) continue;
            column *c = col_new(ft->type, 3, NULL);
            if (ft->type == COL_STRING) {
                const char *v = ft->nlevels ? ft->levels[0] : "a";
                for (int i = 0; i < 3; i++) c->code[i] = strdict_intern(c->dict, v, strlen(v));
            }
            frame_set_column(f, ft->name, c, NULL);
        }
    }
    return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[64];
    if (!path[0]) snprintf(path, sizeof path, "/tmp/fuzz_model_%ld.model", (long)getpid());
    FILE *fp = fopen(path, "wb");
    if (!fp) return 0;
    if (size) fwrite(data, 1, size, fp);
    fclose(fp);
    lab_err e;
    model *m = model_load(path, &e);
    if (!m) {
        if (!strstr(e.msg, "load: ") || strchr(e.msg, '\n')) fail("message", e.msg);
        return 0;
    }
    char *d = model_describe(m);
    free(d);
    char hex[65];
    model_hash(m, hex);
    frame *f = frame_for(m);
    if (m->kind->task == MODEL_TRANSFORMER) {
        frame *r = model_transform(m, f, &e);
        frame_free(r);
    } else {
        column *c = model_predict(m, f, &e);
        col_free(c);
        if (m->kind->task == MODEL_CLASSIFIER) frame_free(model_predict_proba(m, f, &e));
    }
    frame_free(f);
    model_free(m);
    return 0;
}
