/* import_keras.c - seqc --import MODEL.keras: a Keras 3 Sequential model
 * saved with model.save("MODEL.keras").
 *
 * The file is a zip (read with libzip) of metadata.json, config.json and
 * model.weights.h5 (read with libhdf5), as keras/src/saving/saving_lib.py
 * writes them:
 *   config.json       serialize_keras_object(model): {"module", "class_name":
 *                     "Sequential", "config": {"name", "layers": [each layer
 *                     {"module", "class_name", "config", "registered_name",
 *                     "build_config"}]}, "compile_config": {...}}
 *   model.weights.h5  H5IOStore: per layer of model.layers (the Sequential's
 *                     layers less its leading InputLayer) a group
 *                     layers/<snake_case(class)>[_<n>]/vars (n counting the
 *                     earlier layers of the same class: dense, dense_1, ...),
 *                     whose datasets 0, 1, ... are the layer's variables in
 *                     save_own_variables() order (kernel, bias; depthwise,
 *                     pointwise, bias; gamma, beta, moving_mean,
 *                     moving_variance), which is the order of seqc's
 *                     tensors of the layer; since Keras 3.6 each vars group
 *                     carries the layer's name as attribute "name".
 * The groups are named after the classes, not the layers, so each layer's
 * group is found by its class and place, and its "name" attribute, when
 * present, must be the layer's name.  The config goes through the same
 * layer table as model.json's (import.c: imp_run); compile_config's loss and
 * optimizer become the spec's.
 *
 * Hostile files: members are found by exact name (twice is an error), their
 * sizes bounded before reading, CRCs checked by libzip; in the HDF5 file only
 * hard links are followed (no soft or external links), datasets with
 * external or virtual storage are refused, HDF5's filter plugins are not
 * loaded, and each dataset's type, rank and dimensions are checked before
 * its values are read. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>
#include <zip.h>

#include "import.h"
#include "import_int.h"

#define CONFIG_MAX (64L << 20)                          /* config.json bytes */
#define H5_MAX (GEN_SIZE_MAX * 4L + (64L << 20))        /* model.weights.h5 bytes */
#define LINKS_MAX 8192                                  /* members of one HDF5 group */
#define GROUP_MAX 96                                    /* a layer group's name */

typedef struct klayer {
    const char *name, *cls;
    char group[GROUP_MAX];      /* under layers/; "" for the leading InputLayer */
    int seqc;                   /* index in the lowered model's layers, -1 none */
    int n_t;                    /* its tensors */
    int seen;                   /* its group was found in the file */
} klayer;

typedef struct keras {
    zip_t *za;
    const cJSON *layers;
    klayer *kl;
    int nkl;
    unsigned char *h5;
    long h5_len;
    hid_t fid;
    unsigned char *buf;         /* one tensor's values (in the reader) */
    char tname[GEN_NAME_MAX + 2 * GROUP_MAX];
    struct ktensor {            /* what the reader sent, per tensor of the model */
        int rank, dims[4];
        long size;
        unsigned char *data;    /* NULL: its shape is not the tensor's */
    } *kt;
    int nkt;
} keras;

int gen_keras_reader_status = -1;
int gen_keras_reader_seconds = 20;

/* A name from the file, for a message: printable ASCII, at most 64 chars. */
static const char *shown(const char *s)
{
    static char ring[4][80];
    static int next;
    char *b = ring[next++ % 4];
    size_t i = 0;
    for (; s[i] && i < 64; i++)
        if (s[i] < 0x20 || s[i] > 0x7e)
            return "(a name of other characters)";
    snprintf(b, 80, "%.64s%s", s, s[i] ? "..." : "");
    return b;
}

/* ---- the zip --------------------------------------------------------------- */

/* Member NAME, at most max bytes; NULL with *missing set if the archive has
 * none, NULL (reported) on any other trouble. */
static unsigned char *member(ictx *c, zip_t *za, const char *name, long max, long *len, int *missing)
{
    zip_int64_t n = zip_get_num_entries(za, 0), at = -1;
    *missing = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *nm = zip_get_name(za, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
        if (nm && !strcmp(nm, name)) {
            if (at >= 0) {
                imp_err(c, "the archive holds %s twice", name);
                return NULL;
            }
            at = i;
        }
    }
    if (at < 0) {
        *missing = 1;
        return NULL;
    }
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za, (zip_uint64_t)at, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
        imp_err(c, "%s in the archive: %s", name, zip_strerror(za));
        return NULL;
    }
    if (st.size > (zip_uint64_t)max) {
        imp_err(c, "%s in the archive is %llu bytes, more than %ld", name, (unsigned long long)st.size, max);
        return NULL;
    }
    zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)at, 0);
    if (!zf) {
        imp_err(c, "cannot read %s in the archive: %s", name, zip_strerror(za));
        return NULL;
    }
    unsigned char *p = malloc((size_t)st.size + 2);
    long got = 0;
    if (!p) {
        imp_err(c, "%s: out of memory", name);
        zip_fclose(zf);
        return NULL;
    }
    for (;;) {   /* to the end (one byte past the size), where libzip checks the CRC */
        zip_int64_t r = zip_fread(zf, p + got, (zip_uint64_t)((long)st.size + 1 - got));
        if (r < 0) {
            imp_err(c, "cannot read %s in the archive: %s", name, zip_file_strerror(zf));
            goto fail;
        }
        if (r == 0)
            break;
        got += (long)r;
        if (got > (long)st.size) {
            imp_err(c, "%s in the archive holds more than the %llu bytes its header says", name,
                    (unsigned long long)st.size);
            goto fail;
        }
    }
    if (got != (long)st.size) {
        imp_err(c, "%s in the archive holds %ld bytes, its header says %llu", name, got,
                (unsigned long long)st.size);
        goto fail;
    }
    zip_fclose(zf);
    p[got] = 0;
    *len = got;
    return p;
fail:
    zip_fclose(zf);
    free(p);
    return NULL;
}

/* ---- compile_config -> the {loss, optimizer_config} of training_config ------ */

/* Keras's naming.to_snake_case: drop non-word characters, then
 * re.sub("(.)([A-Z][a-z]+)", r"\1_\2"), re.sub("([a-z])([A-Z])", r"\1_\2"),
 * lower().  ASCII names (the classes of import.c's table). */
static void snake_case(const char *in, char *out, size_t cap)
{
    char a[GROUP_MAX], b[2 * GROUP_MAX], d[4 * GROUP_MAX];
    size_t n = 0, m = 0, k = 0;
#define UP(ch) ((ch) >= 'A' && (ch) <= 'Z')
#define LO(ch) ((ch) >= 'a' && (ch) <= 'z')
    for (size_t i = 0; in[i] && n < sizeof a - 1; i++)
        if (UP(in[i]) || LO(in[i]) || (in[i] >= '0' && in[i] <= '9') || in[i] == '_')
            a[n++] = in[i];
    a[n] = 0;
    for (size_t i = 0; i < n;) {
        if (i + 2 < n && UP(a[i + 1]) && LO(a[i + 2])) {
            b[m++] = a[i], b[m++] = '_', b[m++] = a[i + 1];
            for (i += 2; i < n && LO(a[i]); i++)
                b[m++] = a[i];
        } else {
            b[m++] = a[i++];
        }
    }
    b[m] = 0;
    for (size_t i = 0; i < m;) {
        if (i + 1 < m && LO(b[i]) && UP(b[i + 1])) {
            d[k++] = b[i], d[k++] = '_', d[k++] = b[i + 1];
            i += 2;
        } else {
            d[k++] = b[i++];
        }
    }
    d[k] = 0;
    for (size_t i = 0; i < k; i++)
        if (UP(d[i]))
            d[i] = (char)(d[i] - 'A' + 'a');
#undef UP
#undef LO
    snprintf(out, cap, "%s", d);
}

/* A loss in compile_config: a name; a function {"class_name": "function",
 * "config": NAME}; or a Loss object {"class_name": "SparseCategorical...",
 * "config": {...}} whose options are Keras's defaults. */
static int loss_word(ictx *c, const cJSON *l, char *out, size_t cap)
{
    if (cJSON_IsString(l)) {
        snprintf(out, cap, "%.60s", l->valuestring);
        return 0;
    }
    const cJSON *cn = cJSON_GetObjectItemCaseSensitive(l, "class_name");
    const cJSON *cf = cJSON_GetObjectItemCaseSensitive(l, "config");
    if (cJSON_IsString(cn) && !strcmp(cn->valuestring, "function") && cJSON_IsString(cf)) {
        snprintf(out, cap, "%.60s", cf->valuestring);
        return 0;
    }
    if (!cJSON_IsString(cn) || strlen(cn->valuestring) >= 64 || !(cJSON_IsObject(cf) || !cf)) {
        imp_err(c, "compile_config: the loss must be a name or a Keras loss object");
        return -1;
    }
    for (const cJSON *e = cf ? cf->child : NULL; e; e = e->next) {
        const char *k = e->string;
        int ok = !strcmp(k, "name") || !strcmp(k, "dtype") ||
                 (!strcmp(k, "reduction") && (cJSON_IsNull(e) || (cJSON_IsString(e) &&
                                                                  !strcmp(e->valuestring, "sum_over_batch_size")))) ||
                 (!strcmp(k, "from_logits") && cJSON_IsFalse(e)) ||
                 (!strcmp(k, "ignore_class") && cJSON_IsNull(e)) ||
                 (!strcmp(k, "label_smoothing") && cJSON_IsNumber(e) && e->valuedouble == 0) ||
                 (!strcmp(k, "axis") && cJSON_IsNumber(e) && e->valuedouble == -1);
        if (!ok) {
            imp_err(c, "compile_config: the loss's option '%s' is not supported (only Keras's defaults)",
                    shown(k));
            return -1;
        }
    }
    snake_case(cn->valuestring, out, cap);
    return 0;
}

/* Keras's own classes serialize with "module": "keras..." and
 * "registered_name": null; a registered or unregistered class of the user's
 * (a subclass of Dense, say, that computes something else) does not, even
 * when its class_name is a Keras one: refused. */
static int custom_class(ictx *c, const cJSON *root, const cJSON *layers)
{
    const cJSON *L = root;
    for (int first = 1; L; L = first ? (layers ? layers->child : NULL) : L->next, first = 0) {
        const cJSON *mod = cJSON_GetObjectItemCaseSensitive(L, "module");
        const cJSON *reg = cJSON_GetObjectItemCaseSensitive(L, "registered_name");
        const cJSON *cn = cJSON_GetObjectItemCaseSensitive(L, "class_name");
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(L, "config"), "name");
        int keras = (!mod || cJSON_IsNull(mod) ||
                     (cJSON_IsString(mod) && !strncmp(mod->valuestring, "keras", 5) &&
                      (mod->valuestring[5] == 0 || mod->valuestring[5] == '.'))) &&
                    (!reg || cJSON_IsNull(reg));
        if (!keras) {
            if (L != root) {
                c->lname = cJSON_IsString(nm) ? shown(nm->valuestring) : "?";
                c->lclass = cJSON_IsString(cn) ? shown(cn->valuestring) : "?";
            }
            imp_err(c, "%s is a class of its own (module %s%s%s, registered_name %s%s%s), not Keras's",
                    L == root ? "the model" : "the layer", cJSON_IsString(mod) ? "'" : "",
                    cJSON_IsString(mod) ? shown(mod->valuestring) : "-", cJSON_IsString(mod) ? "'" : "",
                    cJSON_IsString(reg) ? "'" : "", cJSON_IsString(reg) ? shown(reg->valuestring) : "-",
                    cJSON_IsString(reg) ? "'" : "");
            return -1;
        }
    }
    return 0;
}

/* {"loss": NAME, "optimizer_config": {"class_name", "config"}}, as
 * training_config has them, or NULL for none (or an empty compile_config). */
static int compile_config(ictx *c, const cJSON *root, cJSON **tc)
{
    const cJSON *cc = cJSON_GetObjectItemCaseSensitive(root, "compile_config");
    *tc = NULL;
    if (!cc || cJSON_IsNull(cc) || (cJSON_IsObject(cc) && !cc->child))
        return 0;
    if (!cJSON_IsObject(cc)) {
        imp_err(c, "compile_config is not an object");
        return -1;
    }
    if (!(*tc = cJSON_CreateObject()))
        goto oom;
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(cc, "loss");
    if (l && !cJSON_IsNull(l)) {
        char w[GROUP_MAX];
        if (loss_word(c, l, w, sizeof w))
            return -1;
        if (!cJSON_AddStringToObject(*tc, "loss", w))
            goto oom;
    }
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(cc, "optimizer");
    if (cJSON_IsString(o)) {     /* compile(optimizer="adam") */
        cJSON *oc = cJSON_AddObjectToObject(*tc, "optimizer_config");
        if (!oc || !cJSON_AddStringToObject(oc, "class_name", o->valuestring) || !cJSON_AddObjectToObject(oc, "config"))
            goto oom;
    } else if (o && !cJSON_IsNull(o)) {
        cJSON *dup = cJSON_Duplicate(o, 1);
        if (!dup)
            goto oom;
        cJSON_AddItemToObject(*tc, "optimizer_config", dup);
    }
    return 0;
oom:
    imp_err(c, "out of memory");
    return -1;
}

/* ---- the HDF5 file --------------------------------------------------------- */

/* Member name of loc: a hard link (1), absent (0), anything else (-1). */
static int hard_link(hid_t loc, const char *name)
{
    htri_t e = H5Lexists(loc, name, H5P_DEFAULT);
    if (e <= 0)
        return e == 0 ? 0 : -1;
    H5L_info_t li;
    if (H5Lget_info(loc, name, &li, H5P_DEFAULT) < 0 || li.type != H5L_TYPE_HARD)
        return -1;
    return 1;
}

/* Group name (a hard link) of loc, or a negative id. */
static hid_t open_group(hid_t loc, const char *name)
{
    if (hard_link(loc, name) != 1)
        return H5I_INVALID_HID;
    hid_t o = H5Oopen(loc, name, H5P_DEFAULT);
    if (o >= 0 && H5Iget_type(o) != H5I_GROUP) {
        H5Oclose(o);
        return H5I_INVALID_HID;
    }
    return o;
}

/* The i-th member name of group g (by name); -1 if longer than cap - 1. */
static int member_name(hid_t g, hsize_t i, char *out, size_t cap)
{
    ssize_t n = H5Lget_name_by_idx(g, ".", H5_INDEX_NAME, H5_ITER_INC, i, out, cap, H5P_DEFAULT);
    return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* The members of group g: 0 ok (*n set), -1 too many or unreadable. */
static int n_members(hid_t g, hsize_t *n)
{
    H5G_info_t gi;
    if (H5Gget_info(g, &gi) < 0 || gi.nlinks > LINKS_MAX)
        return -1;
    *n = gi.nlinks;
    return 0;
}

/* The string attribute "name" of vars, into out; 0 none, 1 read, -1 not a string. */
static int name_attr(hid_t vars, char *out, size_t cap)
{
    htri_t e = H5Aexists(vars, "name");
    if (e == 0)
        return 0;
    if (e < 0)
        return -1;
    int rc = -1;
    hid_t a = H5Aopen(vars, "name", H5P_DEFAULT), t = H5I_INVALID_HID, s = H5I_INVALID_HID,
          mt = H5I_INVALID_HID;
    if (a < 0)
        return -1;
    t = H5Aget_type(a);
    s = H5Aget_space(a);
    if (t < 0 || s < 0 || H5Tget_class(t) != H5T_STRING || H5Sget_simple_extent_npoints(s) != 1)
        goto out;
    mt = H5Tcopy(H5T_C_S1);
    if (mt < 0 || H5Tset_cset(mt, H5Tget_cset(t)) < 0)
        goto out;
    htri_t var = H5Tis_variable_str(t);
    if (var > 0) {
        char *v = NULL;
        if (H5Tset_size(mt, H5T_VARIABLE) < 0 || H5Aread(a, mt, &v) < 0 || !v)
            goto out;
        snprintf(out, cap, "%s", v);
        rc = strlen(v) < cap ? 1 : -1;
        H5free_memory(v);
    } else if (var == 0) {
        size_t sz = H5Tget_size(t);
        char fixed[GEN_NAME_MAX * 4];
        if (sz == 0 || sz >= sizeof fixed - 1 || H5Tset_size(mt, sz + 1) < 0 ||
            H5Tset_strpad(mt, H5T_STR_NULLTERM) < 0 || H5Aread(a, mt, fixed) < 0)
            goto out;
        fixed[sz] = 0;
        snprintf(out, cap, "%s", fixed);
        rc = strlen(fixed) < cap ? 1 : -1;
    }
out:
    if (mt >= 0)
        H5Tclose(mt);
    if (s >= 0)
        H5Sclose(s);
    if (t >= 0)
        H5Tclose(t);
    H5Aclose(a);
    return rc;
}

/* Every layer's group under layers/: found by class and place, its name
 * attribute the layer's, its datasets exactly 0 .. n-1 for its n tensors;
 * nothing else under layers/. */
static int check_groups(keras *k, ictx *c, hid_t glayers)
{
    hsize_t n;
    char nm[GROUP_MAX + 8], attr[GEN_NAME_MAX * 4];
    int rc = -1;
    if (n_members(glayers, &n)) {
        imp_err(c, "model.weights.h5: the group 'layers' cannot be read, or has more than %d members", LINKS_MAX);
        return -1;
    }
    for (hsize_t i = 0; i < n; i++) {
        int found = -1;
        if (member_name(glayers, i, nm, sizeof nm) == 0)
            for (int j = 0; j < k->nkl; j++)
                if (k->kl[j].group[0] && !strcmp(k->kl[j].group, nm))
                    found = j;
        if (found < 0) {
            imp_err(c, "model.weights.h5: layers/%s belongs to no layer of config.json", shown(nm));
            return -1;
        }
        if (hard_link(glayers, nm) != 1) {
            imp_err(c, "model.weights.h5: layers/%s is a soft or external link (only the file's own "
                    "groups are read)", nm);
            return -1;
        }
        k->kl[found].seen = 1;
    }
    for (int j = 0; j < k->nkl; j++) {
        klayer *L = &k->kl[j];
        hid_t g = H5I_INVALID_HID, v = H5I_INVALID_HID;
        if (!L->group[0])
            continue;
        c->lname = L->name, c->lclass = L->cls;
        if (!L->seen) {
            if (L->n_t) {
                imp_err(c, "model.weights.h5 has no weights for it (no group layers/%s)", L->group);
                return -1;
            }
            continue;
        }
        hsize_t gn, vn = 0;
        int hv;
        if ((g = open_group(glayers, L->group)) < 0 || n_members(g, &gn) ||
            (hv = hard_link(g, "vars")) < 0 || gn != (hsize_t)hv) {
            imp_err(c, "model.weights.h5: layers/%s must be a group holding one group 'vars'", L->group);
            goto out;
        }
        if (hv && ((v = open_group(g, "vars")) < 0 || n_members(v, &vn))) {
            imp_err(c, "model.weights.h5: layers/%s/vars is not a readable group", L->group);
            goto out;
        }
        if (vn != (hsize_t)L->n_t) {
            if (vn < (hsize_t)L->n_t) {
                for (int d = 0; d < L->n_t; d++) {
                    snprintf(nm, sizeof nm, "%d", d);
                    if (v < 0 || hard_link(v, nm) != 1) {
                        imp_err(c, "model.weights.h5 has no dataset layers/%s/vars/%d (the layer has %d weights)",
                                L->group, d, L->n_t);
                        goto out;
                    }
                }
            }
            imp_err(c, "model.weights.h5: layers/%s/vars holds %d datasets, the layer has %d weights",
                    L->group, (int)vn, L->n_t);
            goto out;
        }
        for (int d = 0; d < L->n_t; d++) {
            snprintf(nm, sizeof nm, "%d", d);
            if (hard_link(v, nm) != 1) {
                imp_err(c, "model.weights.h5 has no dataset layers/%s/vars/%d (the layer has %d weights)",
                        L->group, d, L->n_t);
                goto out;
            }
        }
        if (v >= 0) {
            int a = name_attr(v, attr, sizeof attr);
            if (a < 0 || (a == 1 && strcmp(attr, L->name))) {
                imp_err(c, "model.weights.h5: layers/%s/vars holds the weights of %s%s%s, not of this layer",
                        L->group, a < 0 ? "" : "layer '", a < 0 ? "an unreadable name" : shown(attr),
                        a < 0 ? "" : "'");
                goto out;
            }
        }
        if (v >= 0)
            H5Oclose(v);
        H5Oclose(g);
        continue;
out:
        if (v >= 0)
            H5Oclose(v);
        if (g >= 0)
            H5Oclose(g);
        return rc;
    }
    c->lname = c->lclass = NULL;
    return 0;
}

/* In the reader: model.weights.h5 opened from memory and its layers/
 * checked against the model's layers. */
static int h5_open(keras *k, ictx *c)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    if (fapl < 0 || H5Pset_fapl_core(fapl, 1 << 16, 0) < 0 ||
        H5Pset_file_image(fapl, k->h5, (size_t)k->h5_len) < 0) {
        if (fapl >= 0)
            H5Pclose(fapl);
        imp_err(c, "model.weights.h5: HDF5 cannot take the file into memory");
        return -1;
    }
    /* the core driver refuses an image whose name exists as a file: a name
     * under /dev/null never does, whatever the working directory holds */
    k->fid = H5Fopen("/dev/null/seqc-model.weights.h5", H5F_ACC_RDONLY, fapl);
    H5Pclose(fapl);
    free(k->h5);        /* HDF5 keeps its own copy */
    k->h5 = NULL;
    if (k->fid < 0) {
        imp_err(c, "model.weights.h5 is not an HDF5 file");
        return -1;
    }
    int any = 0;
    for (int j = 0; j < k->nkl; j++)
        any |= k->kl[j].n_t > 0;
    int hl = hard_link(k->fid, "layers");
    if (hl <= 0) {
        if (hl < 0 || any) {
            imp_err(c, "model.weights.h5 has no group 'layers'%s", hl < 0 ? " that is a plain group" : "");
            return -1;
        }
        return 0;
    }
    hid_t g = open_group(k->fid, "layers");
    if (g < 0) {
        imp_err(c, "model.weights.h5: 'layers' is not a group");
        return -1;
    }
    int rc = check_groups(k, c, g);
    H5Oclose(g);
    return rc;
}

static int h5_read_all(keras *k, ictx *c, const gen_model *m);

/* After the spec compiled: the layers' groups, then every tensor read from
 * model.weights.h5 by the reader process. */
static int keras_begin(void *self, ictx *c, const gen_model *m)
{
    keras *k = self;
    int missing = 0, nl = cJSON_GetArraySize(k->layers);
    k->kl = calloc((size_t)nl + 1, sizeof *k->kl);
    if (!k->kl) {
        imp_err(c, "out of memory");
        return -1;
    }
    /* the layers' groups, as _save_container_state names them */
    int i = 0;
    for (const cJSON *L = k->layers->child; L; L = L->next, i++) {
        klayer *K = &k->kl[k->nkl++];
        const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(L, "config");
        K->cls = cJSON_GetObjectItemCaseSensitive(L, "class_name")->valuestring;   /* checked by imp_run */
        K->name = cJSON_GetObjectItemCaseSensitive(cfg, "name")->valuestring;
        K->seqc = -1;
        if (i == 0 && !strcmp(K->cls, "InputLayer"))
            continue;   /* Sequential.layers leaves it out */
        char base[GROUP_MAX];
        int used = 0;
        snake_case(K->cls, base, sizeof base);
        for (int j = 0; j < k->nkl - 1; j++) {
            char other[GROUP_MAX];
            if (!k->kl[j].group[0])
                continue;
            snake_case(k->kl[j].cls, other, sizeof other);
            used += !strcmp(other, base);
        }
        if (used)
            snprintf(K->group, sizeof K->group, "%.60s_%d", base, used);
        else
            snprintf(K->group, sizeof K->group, "%s", base);
        for (int j = 0; j < m->n_layers; j++)
            if (!strcmp(m->layers[j].name, K->name))
                K->seqc = j;
        for (int t = 0; t < m->n_tensors; t++)
            K->n_t += K->seqc >= 0 && m->tensors[t].layer == K->seqc;
    }

    /* model.weights.h5, from memory */
    k->h5 = member(c, k->za, "model.weights.h5", H5_MAX, &k->h5_len, &missing);
    if (!k->h5) {
        if (missing)
            imp_err(c, "the archive has no model.weights.h5%s",
                    zip_name_locate(k->za, "model.weights.npz", ZIP_FL_ENC_RAW) >= 0
                        ? " (its model.weights.npz is not read: save with Keras's default, .h5)" : "");
        return -1;
    }
    return h5_read_all(k, c, m);
}

/* In the reader: tensor t, dataset layers/GROUP/vars/I, I its place among
 * its layer's tensors. */
static int h5_tensor(keras *k, ictx *c, const gen_model *m, int t, imp_tensor *out)
{
    const gen_tensor *T = &m->tensors[t];
    klayer *L = NULL;
    int idx = 0, rc = -1;
    for (int j = 0; j < k->nkl; j++)
        if (k->kl[j].seqc == T->layer && k->kl[j].group[0])
            L = &k->kl[j];
    for (int u = 0; u < t; u++)
        idx += m->tensors[u].layer == T->layer;
    if (!L) {
        imp_err(c, "weight '%s' belongs to no layer of config.json", T->name);
        return -1;
    }
    snprintf(k->tname, sizeof k->tname, "'%s' (model.weights.h5: layers/%s/vars/%d)", T->name, L->group, idx);
    char dn[16];
    snprintf(dn, sizeof dn, "%d", idx);
    hid_t g = H5I_INVALID_HID, v = H5I_INVALID_HID, ds = H5I_INVALID_HID, ty = H5I_INVALID_HID,
          sp = H5I_INVALID_HID, pl = H5I_INVALID_HID;
    hid_t lg = open_group(k->fid, "layers");
    if (lg < 0 || (g = open_group(lg, L->group)) < 0 || (v = open_group(g, "vars")) < 0 ||
        hard_link(v, dn) != 1 || (ds = H5Oopen(v, dn, H5P_DEFAULT)) < 0 || H5Iget_type(ds) != H5I_DATASET) {
        imp_err(c, "weight %s: not a dataset", k->tname);
        goto out;
    }
    ty = H5Dget_type(ds);
    if (ty < 0 || H5Tget_class(ty) != H5T_FLOAT ||
        !(H5Tequal(ty, H5T_IEEE_F32LE) > 0 || H5Tequal(ty, H5T_IEEE_F32BE) > 0)) {
        size_t sz = ty < 0 ? 0 : H5Tget_size(ty);
        const char *what = ty < 0 ? "unreadable" : H5Tget_class(ty) != H5T_FLOAT
                               ? (H5Tget_class(ty) == H5T_INTEGER ? "integers" : "not numbers")
                           : sz == 8 ? "float64" : sz == 2 ? "a 16-bit float" : "a float of another size";
        imp_err(c, "weight %s: its dtype is %s, not float32 (only float32 weights are supported)",
                k->tname, what);
        goto out;
    }
    pl = H5Dget_create_plist(ds);
    H5D_layout_t lay = pl < 0 ? H5D_LAYOUT_ERROR : H5Pget_layout(pl);
    if ((lay != H5D_CONTIGUOUS && lay != H5D_CHUNKED && lay != H5D_COMPACT) || H5Pget_external_count(pl) != 0) {
        imp_err(c, "weight %s: its values are not stored in the file itself", k->tname);
        goto out;
    }
    sp = H5Dget_space(ds);
    H5S_class_t sc = sp < 0 ? H5S_NO_CLASS : H5Sget_simple_extent_type(sp);
    int rank = sc == H5S_SCALAR ? 0 : sc == H5S_SIMPLE ? H5Sget_simple_extent_ndims(sp) : -1;
    if (rank < 0 || rank > 4) {
        imp_err(c, "weight %s: not an array of rank 0 to 4", k->tname);
        goto out;
    }
    hsize_t dims[4] = {0, 0, 0, 0};
    if (rank > 0 && H5Sget_simple_extent_dims(sp, dims, NULL) != rank) {
        imp_err(c, "weight %s: its shape cannot be read", k->tname);
        goto out;
    }
    long size = 1;
    out->rank = rank;
    for (int d = 0; d < rank; d++) {
        if (dims[d] > (hsize_t)GEN_DIM_MAX) {
            imp_err(c, "weight %s: dimensions must be at most %d", k->tname, GEN_DIM_MAX);
            goto out;
        }
        out->dims[d] = (int)dims[d];
        size *= (long)dims[d];
        if (size > GEN_SIZE_MAX) {
            imp_err(c, "weight %s: more than %ld values", k->tname, (long)GEN_SIZE_MAX);
            goto out;
        }
    }
    out->name = k->tname;
    out->size = size;
    int same = rank == T->rank;
    for (int d = 0; same && d < rank; d++)
        same = out->dims[d] == T->dims[d];
    if (!same) {        /* imp_run reports the shapes */
        rc = 0;
        goto out;
    }
    free(k->buf);
    if (!(k->buf = malloc((size_t)size * 4 + 4))) {
        imp_err(c, "out of memory");
        goto out;
    }
    if (size > 0 && H5Dread(ds, H5T_IEEE_F32LE, H5S_ALL, H5S_ALL, H5P_DEFAULT, k->buf) < 0) {
        imp_err(c, "weight %s: HDF5 cannot read its values", k->tname);
        goto out;
    }
    out->data = k->buf;
    rc = 0;
out:
    if (sp >= 0)
        H5Sclose(sp);
    if (pl >= 0)
        H5Pclose(pl);
    if (ty >= 0)
        H5Tclose(ty);
    if (ds >= 0)
        H5Oclose(ds);
    if (v >= 0)
        H5Oclose(v);
    if (g >= 0)
        H5Oclose(g);
    if (lg >= 0)
        H5Oclose(lg);
    return rc;
}

/* ---- the reader process ------------------------------------------------------ *
 * libhdf5 (1.10 here) is not hardened against malformed files: fuzzing finds
 * reads of wild addresses in it within seconds.  So the HDF5 file is read in
 * a child process, which sends each tensor (or the first error) down a pipe;
 * if libhdf5 crashes, or loops (20 s: reading 1 GiB from memory takes one),
 * the child dies and the import fails cleanly.
 * Records: 'T' t rank dims[4] size has-data [size float32 LE], 'E' length
 * message, 'D' (done). */

static int put_all(int fd, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n) {
        ssize_t w = write(fd, b, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        b += w, n -= (size_t)w;
    }
    return 0;
}

static int get_all(int fd, void *p, size_t n)
{
    unsigned char *b = p;
    while (n) {
        ssize_t r = read(fd, b, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        b += r, n -= (size_t)r;
    }
    return 0;
}

/* The child: open, check, send every tensor; 0 sent all (or an error). */
static int reader(keras *k, ictx *c, const gen_model *m, int fd)
{
    int rc = h5_open(k, c);
    for (int t = 0; !rc && t < m->n_tensors; t++) {
        imp_tensor S;
        memset(&S, 0, sizeof S);
        if ((rc = h5_tensor(k, c, m, t, &S)))
            break;
        int32_t h[7] = {t, S.rank, S.dims[0], S.dims[1], S.dims[2], S.dims[3], S.data != NULL};
        int64_t size = S.size;
        if (put_all(fd, "T", 1) || put_all(fd, h, sizeof h) || put_all(fd, &size, sizeof size) ||
            (S.data && put_all(fd, S.data, (size_t)size * 4)))
            return -1;
    }
    if (rc) {
        int32_t n = (int32_t)strlen(gen_last_error);
        return put_all(fd, "E", 1) || put_all(fd, &n, sizeof n) || put_all(fd, gen_last_error, (size_t)n);
    }
    return put_all(fd, "D", 1);
}

/* The parent: fork the reader, keep what it sends (checked again), reap it. */
static int h5_read_all(keras *k, ictx *c, const gen_model *m)
{
    int fd[2], st = 0, rc = -1, done = 0;
    gen_keras_reader_status = -1;
    if (!(k->kt = calloc((size_t)m->n_tensors + 1, sizeof *k->kt))) {
        imp_err(c, "out of memory");
        return -1;
    }
    if (pipe(fd) != 0) {
        imp_err(c, "cannot start the HDF5 reader: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        imp_err(c, "cannot start the HDF5 reader: %s", strerror(errno));
        close(fd[0]), close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        /* libhdf5's crashes end the child by their signal, not through the
         * sanitizers' reports (our own code still aborts on theirs); so
         * does the alarm, whatever handler the parent had for it */
        static const int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGALRM};
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
            signal(sigs[i], SIG_DFL);
        close(fd[0]);
        gen_quiet = 1;
        alarm((unsigned)gen_keras_reader_seconds);   /* a file that makes libhdf5 loop */
        _exit(reader(k, c, m, fd[1]) ? 3 : 0);
    }
    close(fd[1]);
    free(k->h5);        /* the child has its copy */
    k->h5 = NULL;
    for (;;) {
        char kind;
        if (get_all(fd[0], &kind, 1))
            break;
        if (kind == 'D') {
            done = k->nkt == m->n_tensors;
            break;
        }
        if (kind == 'E') {
            int32_t n;
            if (get_all(fd[0], &n, sizeof n) || n < 0 || (size_t)n >= sizeof gen_last_error ||
                get_all(fd[0], gen_last_error, (size_t)n))
                break;
            gen_last_error[n] = 0;
            c->err = 1;
            if (!gen_quiet)
                fprintf(stderr, "%s\n", gen_last_error);
            done = -1;
            break;
        }
        int32_t h[7];
        int64_t size;
        if (kind != 'T' || get_all(fd[0], h, sizeof h) || get_all(fd[0], &size, sizeof size) ||
            h[0] != k->nkt || h[1] < 0 || h[1] > 4 || size < 0 || size > GEN_SIZE_MAX)
            break;
        struct ktensor *K = &k->kt[k->nkt];
        long prod = 1;
        K->rank = h[1];
        for (int d = 0; d < 4; d++) {
            K->dims[d] = d < K->rank ? h[2 + d] : 0;
            if (d < K->rank && (K->dims[d] < 0 || K->dims[d] > GEN_DIM_MAX))
                prod = -1;
            else if (d < K->rank && prod >= 0)
                prod *= K->dims[d];
        }
        if (prod != size)
            break;
        K->size = (long)size;
        if (h[6]) {
            if (!(K->data = malloc((size_t)size * 4 + 4))) {
                imp_err(c, "out of memory");
                done = -1;
                break;
            }
            if (get_all(fd[0], K->data, (size_t)size * 4))
                break;
        }
        k->nkt++;
    }
    close(fd[0]);
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    gen_keras_reader_status = st;
    if (done == 1 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
        rc = 0;
    else if (done != -1 || c->err == 0) {
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM) {
            imp_err(c, "model.weights.h5: libhdf5 did not finish reading the file in %d s: a malformed "
                    "HDF5 file", gen_keras_reader_seconds);
        } else if (WIFSIGNALED(st)) {
            imp_err(c, "model.weights.h5: libhdf5 failed on the file (signal %d): a malformed HDF5 file",
                    WTERMSIG(st));
        } else {
            imp_err(c, "model.weights.h5: the HDF5 reader stopped (exit %d)",
                    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
        }
    }
    return rc;
}

/* Tensor t, as the reader sent it. */
static int keras_tensor(void *self, ictx *c, const gen_model *m, int t, imp_tensor *out)
{
    keras *k = self;
    const gen_tensor *T = &m->tensors[t];
    int idx = 0;
    const klayer *L = NULL;
    (void)c;
    for (int j = 0; j < k->nkl; j++)
        if (k->kl[j].seqc == T->layer && k->kl[j].group[0])
            L = &k->kl[j];
    for (int u = 0; u < t; u++)
        idx += m->tensors[u].layer == T->layer;
    snprintf(k->tname, sizeof k->tname, "'%s' (model.weights.h5: layers/%s/vars/%d)", T->name,
             L ? L->group : "?", idx);
    out->name = k->tname;
    out->rank = k->kt[t].rank;
    memcpy(out->dims, k->kt[t].dims, sizeof out->dims);
    out->size = k->kt[t].size;
    out->data = k->kt[t].data;
    return 0;
}

static int keras_end(void *self, ictx *c)
{
    (void)self, (void)c;     /* check_groups saw every member of layers/ */
    return 0;
}

int gen_import_keras(const char *path, const char *spec_path)
{
    ictx c = {path, NULL, NULL, 0};
    keras k;
    cJSON *root = NULL, *tc = NULL;
    unsigned char *text = NULL;
    long len = 0;
    int zerr = 0, rc = 1, missing = 0;
    memset(&k, 0, sizeof k);
    k.fid = H5I_INVALID_HID;

    /* no HDF5 error stacks on stderr; no filter plugins loaded from disk */
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    H5PLset_loading_state(0);

    k.za = zip_open(path, ZIP_RDONLY | ZIP_CHECKCONS, &zerr);
    if (!k.za) {
        zip_error_t ze;
        zip_error_init_with_code(&ze, zerr);
        if (zerr == ZIP_ER_NOZIP)
            imp_err(&c, "not a .keras file: not a zip archive (or a truncated one)");
        else if (zerr == ZIP_ER_EXISTS)
            imp_err(&c, "not a .keras file: the zip archive holds a name twice");
        else if (zerr == ZIP_ER_INCONS)
            imp_err(&c, "not a .keras file: the zip archive is inconsistent (truncated?)");
        else if (zerr == ZIP_ER_OPEN || zerr == ZIP_ER_NOENT || zerr == ZIP_ER_READ)
            imp_err(&c, "cannot read %s: %s", path, zip_error_strerror(&ze));
        else
            imp_err(&c, "not a .keras file: %s", zip_error_strerror(&ze));
        zip_error_fini(&ze);
        goto out;
    }
    text = member(&c, k.za, "config.json", CONFIG_MAX, &len, &missing);
    if (!text) {
        if (missing)
            imp_err(&c, "the archive has no config.json: not a Keras 3 .keras file");
        goto out;
    }
    root = cJSON_ParseWithLength((const char *)text, (size_t)len);
    if (!root) {
        const char *e = cJSON_GetErrorPtr();
        imp_err(&c, "config.json: not valid JSON (at byte %ld)",
                e && e >= (const char *)text && e <= (const char *)text + len ? (long)(e - (const char *)text) : 0L);
        goto out;
    }
    if (!cJSON_IsObject(root)) {
        imp_err(&c, "config.json is not a JSON object");
        goto out;
    }
    if (compile_config(&c, root, &tc))
        goto out;
    k.layers = imp_layers(root);
    if (custom_class(&c, root, k.layers))
        goto out;
    imp_front f = {"a Keras 3 .keras file", "compile_config", "the .keras file", root, tc,
                   keras_begin, keras_tensor, keras_end, &k};
    rc = imp_run(&c, &f, spec_path);
out:
    if (k.fid >= 0)
        H5Fclose(k.fid);
    if (k.za)
        zip_discard(k.za);
    free(k.h5);
    free(k.buf);
    for (int t = 0; t < k.nkt; t++)
        free(k.kt[t].data);
    free(k.kt);
    free(k.kl);
    cJSON_Delete(tc);
    cJSON_Delete(root);
    free(text);
    return rc ? 1 : 0;
}
