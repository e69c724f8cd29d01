m4_divert(-1)
m4_dnl reshape.m4 - Reshape is a view, as Flatten: row-major (h, w, c) order
m4_dnl does not change, so the output shares the input's buffer.

m4_define(«seqc_reshape_forward», «
/* seqc_name: Reshape, a view of seqc_shape_in as seqc_shape_out; no code */
»)
m4_define(«seqc_reshape_backward», «»)
m4_define(«seqc_reshape_fcall», «
    /* seqc_name: a view, nothing to do */»)
m4_define(«seqc_reshape_bcall», «
    /* seqc_name: a view, nothing to do */»)
m4_divert(0)m4_dnl
