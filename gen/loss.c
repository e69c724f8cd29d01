/* loss.c - the losses seqc computes and the rules that tie a loss to the
 * last layer (Keras 3 keras.losses; formulas in templates/SEMANTICS.md).
 *
 * Keras accepts any pairing and computes something; the pairings below are
 * the ones that compute what the user meant, so the others are spec errors
 * here (e.g. binary cross-entropy of a 10-way softmax). */
#include <string.h>

#include "ir.h"

static const char *const names[GEN_LOSS_COUNT] = {
    "sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy",
    "mean_squared_error", "mean_absolute_error", "huber",
};

/* Keras's short names (keras.losses.get) and its Keras 2 spelling of huber. */
static const struct { const char *alias; gen_loss_kind kind; } aliases[] = {
    {"mse", GEN_LOSS_MSE}, {"mae", GEN_LOSS_MAE}, {"huber_loss", GEN_LOSS_HUBER},
};

const char *gen_loss_name(gen_loss_kind k)
{
    return k >= 0 && k < GEN_LOSS_COUNT ? names[k] : "?";
}

int gen_loss_word(const char *s, gen_loss_kind *k)
{
    for (int i = 0; i < GEN_LOSS_COUNT; i++)
        if (!strcmp(s, names[i]))
            return *k = (gen_loss_kind)i, 0;
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(s, aliases[i].alias))
            return *k = aliases[i].kind, 0;
    return -1;
}

static int is_ce(gen_loss_kind k)
{
    return k == GEN_LOSS_SPARSE_CCE || k == GEN_LOSS_CCE || k == GEN_LOSS_BCE;
}

/* Where to point at the last layer's activation: its option if written. */
static gen_mark act_at(const gen_layer *l)
{
    return l->act_mark.line ? l->act_mark : l->mark;
}

/* Cross-entropy: the last activation must be the one the loss expects
 * (softmax or sigmoid), or linear with from_logits: true. */
static int check_ce(gen_model *m, gen_layer *last)
{
    const gen_loss *L = &m->loss;
    const gen_act want = L->kind == GEN_LOSS_BCE ? GEN_ACT_SIGMOID : GEN_ACT_SOFTMAX;
    const char *loss = gen_loss_name(L->kind), *wants = gen_act_name(want);
    if (L->from_logits && last->act != GEN_ACT_LINEAR) {
        gen_error(m->path, act_at(last), "%s with from_logits: true takes logits, so the last layer's "
                  "activation must be linear, not '%s' (or drop from_logits to let the loss apply %s)",
                  loss, gen_act_name(last->act), wants);
        return -1;
    }
    if (!L->from_logits && last->act != want) {
        gen_error(m->path, act_at(last), "%s needs a %s output: give the last layer 'activation: %s' "
                  "(it is '%s'), or 'from_logits: true' with a linear one", loss, wants, wants,
                  gen_act_name(last->act));
        return -1;
    }
    m->out_act = L->kind == GEN_LOSS_BCE ? GEN_OUT_SIGMOID : GEN_OUT_SOFTMAX;
    return 0;
}

int gen_loss_check(gen_model *m)
{
    gen_layer *last = &m->layers[m->n_layers - 1];
    m->out_act = GEN_OUT_NONE;
    if (is_ce(m->loss.kind))
        return check_ce(m, last);
    if (last->act == GEN_ACT_SOFTMAX) {
        gen_error(m->path, act_at(last), "softmax is computed here only together with a "
                  "cross-entropy loss; with %s give the last layer a linear or sigmoid activation",
                  gen_loss_name(m->loss.kind));
        return -1;
    }
    return 0;
}

/* After lowering: the output size against the loss and the targets. */
int gen_loss_shape(gen_model *m)
{
    const gen_layer *last = &m->layers[m->n_layers - 1];
    const gen_loss_kind k = m->loss.kind;
    m->n_out = (int)last->out_size;
    m->n_targets = k == GEN_LOSS_SPARSE_CCE ? 1 : m->n_out;
    m->n_classes = 0;
    if (k == GEN_LOSS_SPARSE_CCE || k == GEN_LOSS_CCE) {
        if (m->n_out < 2) {
            gen_error(m->path, last->mark, "%s needs at least 2 classes (units), got %d; for a "
                      "yes/no output use binary_crossentropy with one sigmoid unit",
                      gen_loss_name(k), m->n_out);
            return -1;
        }
        m->task = GEN_TASK_CLASSES;
        m->n_classes = m->n_out;
    } else if (k == GEN_LOSS_BCE) {
        m->task = m->n_out == 1 ? GEN_TASK_BINARY : GEN_TASK_MULTILABEL;
        m->n_classes = m->n_out == 1 ? 2 : 0;
    } else {
        m->task = GEN_TASK_REGRESSION;
    }
    if (m->targets_inputs && (m->task != GEN_TASK_REGRESSION || m->n_out != m->n_in)) {
        gen_error(m->path, m->targets_mark, "'targets: inputs' (an autoencoder) needs a regression "
                  "loss (mean_squared_error, mean_absolute_error, huber) and as many outputs as "
                  "inputs (%ld); the model has %s and %d outputs", m->n_in,
                  gen_loss_name(k), m->n_out);
        return -1;
    }
    return 0;
}
