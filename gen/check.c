/* check.c - pass 2: the rules that span layers, each reported at the mark
 * of the thing the user has to change.  Shape rules live in lower.c. */
#include <stdio.h>
#include <string.h>

#include "layers.h"

static const char *const c_keywords[] = {
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double",
    "else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
    "register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
    "switch", "typedef", "union", "unsigned", "void", "volatile", "while", "main", NULL};

/* Identifiers reach m4 and C: letters, digits, '_'; no reserved C names,
 * no m4 builtin or template macro prefix (m4 would expand them). */
int gen_valid_ident(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > GEN_NAME_MAX || s[0] == '_' || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    if (!strncmp(s, "m4_", 3) || !strncmp(s, "seqc_", 5))
        return 0;
    for (int i = 0; c_keywords[i]; i++)
        if (!strcmp(s, c_keywords[i]))
            return 0;
    return 1;
}

/* Model name from the file name when the spec gives none: specs/seed.yaml -> seed */
static int default_name(gen_model *m)
{
    gen_mark top = {1, 1};
    const char *base = strrchr(m->path, '/');
    base = base ? base + 1 : m->path;
    size_t n = strcspn(base, ".");
    if (n > GEN_NAME_MAX)
        n = GEN_NAME_MAX;
    memcpy(m->name, base, n);
    m->name[n] = 0;
    if (!gen_valid_ident(m->name)) {
        gen_error(m->path, top, "the file name does not make a valid model name; "
                  "add 'name: my_model' to the spec");
        return -1;
    }
    return 0;
}

static void default_layer_names(gen_model *m)
{
    int count[GEN_KIND_COUNT] = {0};
    for (int i = 0; i < m->n_layers; i++) {
        gen_layer *l = &m->layers[i];
        int k = ++count[l->kind->id];
        if (!l->named)
            snprintf(l->name, sizeof l->name, "%s_%d", l->kind->name, k);
    }
}

static int unique_names(gen_model *m)
{
    for (int i = 0; i < m->n_layers; i++) {
        gen_layer *l = &m->layers[i];
        gen_mark at = l->named ? l->name_mark : l->mark;
        if (!strcmp(l->name, m->name)) {
            gen_error(m->path, at, "layer name '%s' is the model's name; rename one", l->name);
            return -1;
        }
        for (int j = 0; j < i; j++)
            if (!strcmp(l->name, m->layers[j].name)) {
                gen_error(m->path, at, "layer name '%s' is already used by layer %d (line %d)",
                          l->name, j + 1, m->layers[j].mark.line);
                return -1;
            }
    }
    return 0;
}

static int order(gen_model *m)
{
    if (m->n_layers < 2 || m->layers[0].kind->id != GEN_INPUT) {
        gen_mark at = m->n_layers ? m->layers[0].mark : m->layers_mark;
        if (!m->layers_mark.line)
            at.line = at.col = 1;
        gen_error(m->path, at, "the layer list must start with '- input: {shape: [...]}' "
                  "and have at least one more layer");
        return -1;
    }
    for (int i = 1; i < m->n_layers; i++) {
        gen_layer *l = &m->layers[i];
        if (l->kind->id == GEN_INPUT) {
            gen_error(m->path, l->mark, "input may only be the first layer");
            return -1;
        }
        if (l->act == GEN_ACT_SOFTMAX && i != m->n_layers - 1) {
            gen_error(m->path, l->act_mark, "softmax must be the activation of the last layer "
                      "(it is computed with the cross-entropy loss)");
            return -1;
        }
    }
    return gen_loss_check(m);
}

int gen_check(gen_model *m)
{
    if (!m->name[0] && default_name(m))
        return -1;
    for (char *p = m->name, *u = m->upper; (*u = *p) != 0; p++, u++)
        if (*u >= 'a' && *u <= 'z')
            *u = (char)(*u - 'a' + 'A');
    default_layer_names(m);
    return order(m) || unique_names(m) ? -1 : 0;
}
