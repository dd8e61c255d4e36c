/* kinds.h — the model kinds lab knows (private to engine/learn).
 *
 * A new kind is one file defining a `const model_kind model_kind_<name>`, a
 * line here, and a line in the table of model.c. */
#ifndef LAB_KINDS_H
#define LAB_KINDS_H

#include "model.h"

extern const model_kind model_kind_linear;   /* linear.c */
extern const model_kind model_kind_logistic; /* logistic.c */
extern const model_kind model_kind_kmeans;        /* kmeans.c */
extern const model_kind model_kind_pca;           /* pca.c */
extern const model_kind model_kind_knn;           /* knn.c */
extern const model_kind model_kind_knn_regressor; /* knn.c */
extern const model_kind model_kind_naive_bayes;   /* naive_bayes.c */
extern const model_kind model_kind_tree;             /* tree.c */
extern const model_kind model_kind_tree_regressor;   /* tree.c */
extern const model_kind model_kind_forest;           /* forest.c */
extern const model_kind model_kind_forest_regressor; /* forest.c */
extern const model_kind model_kind_gbm;              /* gbm.c */
extern const model_kind model_kind_gbm_regressor;    /* gbm.c */

#endif
