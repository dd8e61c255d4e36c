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

/* What an export wrote. */
typedef struct store_export_stats {
    size_t experiments, runs, points, artifacts, models, versions;
} store_export_stats;

/* The name of the marker file an export leaves in DIR; its presence is what
 * makes DIR "an earlier export" that a new one may replace. */
#define STORE_EXPORT_MARKER ".lab-export"

/* Write every experiment, run (params, metrics with their whole history,
 * tags, note, artifacts, notebook) and registered model of s into dir as an
 * MLflow file store. dir must not exist, be empty, or hold an earlier export
 * (STORE_EXPORT_MARKER), which is replaced as a whole; anything else is
 * refused. st (may be NULL) gets the counts. Returns 0, or -1 with e naming
 * the path, run or key at fault, and dir untouched. */
int store_export_mlflow(store *s, const char *dir, store_export_stats *st, lab_err *e);

#endif
