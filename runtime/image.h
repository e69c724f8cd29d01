/* image.h - user images for `NAME predict`: PNG (libpng) or PGM, turned
 * into model input the way MNIST's digits were made. */
#ifndef RT_IMAGE_H
#define RT_IMAGE_H

#include <stddef.h>

/* Load PATH (PNG or binary/ASCII PGM, by its magic) as 8-bit grayscale,
 * w*h bytes in *pix (malloc'd).  0, or -1 with "PATH: error: ..." in err. */
int rt_image_load(const char *path, unsigned char **pix, int *w, int *h, char *err, size_t errlen);

/* MNIST's preprocessing, into out[H*W] (0..255, white ink on black):
 * invert if the image is dark ink on a light background (judged by its
 * border), crop to the ink, scale to fit a box of 20/28 of the target
 * keeping the aspect ratio (area averaging), and place it so that its
 * centre of mass is the centre of the target.  A blank image gives zeros. */
void rt_image_mnist(const unsigned char *pix, int w, int h, unsigned char *out, int H, int W);

#endif
