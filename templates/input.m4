m4_divert(-1)
m4_dnl input.m4 - the input layer: its region is the start of the arena; no code.
m4_divert(0)m4_dnl
