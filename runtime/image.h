/* image.h - user images for `NAME predict`: PNG (libpng) or PGM, turned
 * into model input the way MNIST's digits were made. */
#ifndef RT_IMAGE_H
#define RT_IMAGE_H

#include <stddef.h>

/* Load PATH (PNG or binary/ASCII PGM, by its magic) as 8-bit grayscale,
 * w*h bytes in *pix (malloc'd).  0, or -1 with "PATH: error: ..." in err. */
int rt_image_load(const char *path, unsigned char **pix, int *w, int *h, char *err, size_t errlen);

/* Load PATH as 8-bit RGBA, w*h*4 bytes in *rgba (malloc'd): a PNG of any
 * colour type and bit depth through libpng's own transforms (palette and
 * low bit depths expanded, tRNS made alpha, 16 bits stripped to their high
 * byte, grey replicated, opaque alpha added; chunks other than IHDR, PLTE,
 * tRNS and IDAT skipped unread, so gamma and ICC profiles are not
 * applied), or a PGM (grey replicated).  Sizes in the file (chunk lengths,
 * image size) are checked against its length before allocating.
 * 0, or -1 with "PATH: error: REASON" (libpng's reason for a bad PNG). */
int rt_image_load_rgba(const char *path, unsigned char **rgba, int *w, int *h,
                       char *err, size_t errlen);

/* Keras's image_dataset_from_directory conversion of one decoded image
 * into out[H][W][C] (values 0..255, float): first the channels, as
 * decode_png does (C = 1: luminance as PIL's convert('L'),
 * L = R*299/1000 + G*587/1000 + B*114/1000 in PIL's fixed point; C = 3:
 * RGB, alpha dropped; C = 4: RGBA), then, when w x h differs from W x H,
 * bilinear resizing as tf.image.resize does it by default (half-pixel
 * centres, no antialiasing, unrounded).  C must be 1, 3 or 4.
 * Returns 1 if it resized, 0 if the values are the pixels as they were,
 * -1 when out of memory. */
int rt_image_keras(const unsigned char *rgba, int w, int h, int H, int W, int C, float *out);

/* MNIST's preprocessing, into out[H*W] (0..255, white ink on black):
 * invert if the image is dark ink on a light background (judged by its
 * border), crop to the ink, scale to fit a box of 20/28 of the target
 * keeping the aspect ratio (area averaging), and place it so that its
 * centre of mass is the centre of the target.  A blank image gives zeros. */
void rt_image_mnist(const unsigned char *pix, int w, int h, unsigned char *out, int H, int W);

#endif
