m4_dnl layers.m4 - every layer template, one per stem of gen/layers.c's table.
m4_include(«input.m4»)m4_dnl
m4_include(«zero_padding2d.m4»)m4_dnl
m4_include(«conv2d.m4»)m4_dnl
m4_include(«depthwise_conv2d.m4»)m4_dnl
m4_include(«separable_conv2d.m4»)m4_dnl
m4_include(«pool2d.m4»)m4_dnl
m4_include(«global_pool.m4»)m4_dnl
m4_include(«flatten.m4»)m4_dnl
m4_include(«reshape.m4»)m4_dnl
m4_include(«dense.m4»)m4_dnl
m4_include(«dropout.m4»)m4_dnl
m4_include(«activation.m4»)m4_dnl
m4_include(«batch_norm.m4»)m4_dnl
m4_include(«batch_norm_frozen.m4»)m4_dnl
m4_include(«normalization.m4»)m4_dnl
