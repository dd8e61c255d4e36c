/* export.h — the store as an MLflow file store, so that MLflow users can
 * open lab's runs (`lab runs export --mlflow DIR`).
 *
 * The layout is MLflow 2.x's own (../shared/design/mlflow-export.md and
 * docs/tracking.md): DIR/<experiment id>/meta.yaml, DIR/<experiment
 * id>/<run id>/{meta.yaml, params/, metrics/, tags/, artifacts/}, and the
 * registry in DIR/models/<name>/{meta.yaml, version-<N>/meta.yaml,
 * aliases/<alias>}. An export is a snapshot: it is written into a fresh
 * folder beside DIR and moved into place only when complete, so a failure
 * leaves DIR as it was. */
#ifndef LAB_EXPORT_H
#define LAB_EXPORT_H

#include <stddef.h>

#include "store.h"

/* What an export wrote. skipped counts the param, metric and tag keys left
 * out because they cannot be a file in the layout (see store_export_mlflow). */
typedef struct store_export_stats {
    size_t experiments, runs, points, artifacts, models, versions;
    size_t skipped;
} store_export_stats;

/* Told about each key the export leaves out: msg is one line naming the run
 * and the key ("run 3f2a9c1d: metric key '../x' skipped: ..."). */
typedef void (*store_export_warn_fn)(void *ctx, const char *msg);

/* The name of the marker file an export leaves in DIR; its presence is what
 * makes DIR "an earlier export" that a new one may replace. */
#define STORE_EXPORT_MARKER ".lab-export"

/* Write every experiment, run (params, metrics with their whole history,
 * tags, note, artifacts, notebook) and registered model of s into dir as an
 * MLflow file store. dir must not exist, be empty, or hold an earlier export
 * (STORE_EXPORT_MARKER), which is replaced as a whole; anything else is
 * refused, and so is the current folder or one that contains it (the export
 * is renamed into place). A key that cannot be a file there (one a store
 * from before the key rules took: "../x", "a//b"; or "a" beside "a/b") is
 * left out and reported to warn (may be NULL) with ctx; the rest goes on.
 * st (may be NULL) gets the counts. Returns 0, or -1 with e naming the path,
 * run or key at fault, and dir untouched. */
int store_export_mlflow(store *s, const char *dir, store_export_warn_fn warn, void *ctx, store_export_stats *st,
                        lab_err *e);

#endif
