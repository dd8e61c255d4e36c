/* pipeline.h — pipelines (transforms then a model, as one model) and
 * evaluation by k-fold cross-validation.
 *
 * A pipeline is an ordinary model whose `step` list holds transforms
 * (transform.h). model_fit fits the steps on the training frame in order,
 * each on the previous one's output and never on the target, then the kind on
 * the result; every prediction applies the fitted steps to the frame first.
 * So a pipeline predicts from raw rows, saves to one model file (the steps
 * in their own tables) and loads with model_load, and everything that takes a
 * model (cross-validation, tracking, the server) takes a pipeline. */
#ifndef LAB_PIPELINE_H
#define LAB_PIPELINE_H

#include "model.h"

/* Append transform t to m's steps; m takes ownership of t and becomes
 * unfitted. */
void pipeline_add_step(model *m, model *t);
/* Free m's steps (model_free calls it). */
void pipeline_free_steps(model *m);

/* Fit m's steps on f (narrowed to features[0..nfeat) and the target when
 * features is not NULL) and return the frame the kind is then fitted on, or
 * NULL with e filled (the step's message). Called by model_fit. */
frame *pipeline_fit_steps(model *m, const frame *f, const char *target, const char *const *features, int nfeat,
                          lab_err *e);
/* Report the hyper-parameters of m's steps to hooks->param (when given),
 * step by step in order, each under the key "<step>.<param>": the step is
 * named by its kind, numbered from 1 when the pipeline has several steps of
 * that kind, as scikit-learn's make_pipeline names them ("standardize.cols",
 * "impute-1.strategy", "impute-2.strategy"). Called by model_fit before the
 * steps fit; the model's own hyper-parameters follow under their own names.
 * Returns 0, or -1 with e "fit: stopped by the callback". */
int pipeline_report_params(const model *m, const model_hooks *hooks, lab_err *e);
/* f through m's fitted steps: a new frame, or NULL with e starting with op. */
frame *pipeline_apply_steps(const model *m, const frame *f, const char *op, lab_err *e);

/* An unfitted copy of m: its kind, hyper-parameters and steps (unfitted). */
model *model_clone_unfitted(const model *m);

/* ---- evaluation ---------------------------------------------------------------- */

/* Assign each of n rows a fold in 0..k-1: shuffled with seed when shuffle,
 * else in order; with strata (a class index per row, nstrata classes) each
 * class is spread evenly over the folds (stratified). Fold sizes differ by at
 * most one, the larger folds first as in scikit-learn's KFold. Fails when
 * k < 2 or k > n. Returns 0 or -1. */
int kfold_assign(size_t n, int k, uint64_t seed, int shuffle, const int *strata, int *fold, lab_err *e);

/* The metrics cross_validate knows, for messages (static). */
const char *cv_metric_list(void);
/* 1 when name is a metric for classifiers, 0 for regressors, -1 unknown. */
int cv_metric_is_classification(const char *name);

/* K-fold cross-validation of (an unfitted copy of) m on f predicting target
 * from features[0..nfeat) (features NULL: every column but the target): for
 * each fold, fit on the other folds, predict the fold and score it with
 * metrics[0..nmetric). scores[fold*nmetric + j] gets metric j on fold (k x
 * nmetric); ntest[fold] the fold's rows. Folds come from kfold_assign
 * (stratified by the target for classifiers when stratify). Reports each
 * fold through lab_progress, stops on lab_interrupt. Fails with e naming the
 * metric, the target, the feature, or the fold whose fit failed. m is not
 * changed. */
int cross_validate(const model *m, const frame *f, const char *target, const char *const *features, int nfeat,
                   const char *const *metrics, int nmetric, int k, uint64_t seed, int shuffle, int stratify,
                   double *scores, size_t *ntest, lab_err *e);

#endif
