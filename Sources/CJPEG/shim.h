#ifndef VITREL_CJPEG_SHIM_H
#define VITREL_CJPEG_SHIM_H
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

/*
 * Whole-buffer JPEG decode for Swift.
 *
 * libjpeg's default error_exit prints and calls exit(); a library must never do that. The
 * error manager below longjmps back into vitrel_jpeg_decode instead (setjmp cannot be used
 * from Swift, so the whole decode lives here in C) and warnings are collected silently.
 */

enum {
    VITREL_JPEG_OK = 0,
    VITREL_JPEG_TRUNCATED = 1,   /* the data ended before the image did */
    VITREL_JPEG_CORRUPT = 2,     /* libjpeg rejected the data, or the entropy-coded data is damaged */
    VITREL_JPEG_UNSUPPORTED = 3, /* a valid JPEG that vitrel does not read (CMYK, 12-bit, ...) */
    VITREL_JPEG_TOO_LARGE = 4,   /* more pixels than the caller allows */
    VITREL_JPEG_NO_MEMORY = 5
};

typedef struct {
    unsigned char *pixels; /* malloc'd interleaved 8-bit samples; release with vitrel_jpeg_free */
    size_t pixel_bytes;
    int width, height, channels;
    int status;
    char message[JMSG_LENGTH_MAX];
} vitrel_jpeg_decoded;

typedef struct {
    struct jpeg_error_mgr manager; /* first, so a j_common_ptr's err can be cast to this */
    jmp_buf jump;
    int hit_end_of_data;   /* JWRN_JPEG_EOF: the source ran out and libjpeg inserted a fake EOI */
    int damaged_data;      /* warnings that mean the entropy-coded data itself is broken */
    char first_warning[JMSG_LENGTH_MAX];
} vitrel_jpeg_error_manager;

static inline void vitrel_jpeg_error_exit(j_common_ptr cinfo) {
    vitrel_jpeg_error_manager *errors = (vitrel_jpeg_error_manager *)cinfo->err;
    longjmp(errors->jump, 1);
}

static inline void vitrel_jpeg_emit_message(j_common_ptr cinfo, int level) {
    vitrel_jpeg_error_manager *errors = (vitrel_jpeg_error_manager *)cinfo->err;
    if (level >= 0) return; /* trace messages */
    int code = errors->manager.msg_code;
    if (code == JWRN_JPEG_EOF) errors->hit_end_of_data = 1;
    if (code == JWRN_HIT_MARKER || code == JWRN_HUFF_BAD_CODE || code == JWRN_MUST_RESYNC)
        errors->damaged_data = 1;
    if (errors->first_warning[0] == 0) (*errors->manager.format_message)(cinfo, errors->first_warning);
    errors->manager.num_warnings++;
}

static inline void vitrel_jpeg_output_message(j_common_ptr cinfo) { (void)cinfo; }

static inline void vitrel_jpeg_free(void *pointer) { free(pointer); }

/* Decodes a complete JPEG held in memory to 8-bit gray (1 channel) or RGB (3 channels).
   `max_pixels` bounds width × height. */
static inline void vitrel_jpeg_decode(
    const unsigned char *data, size_t size, size_t max_pixels, vitrel_jpeg_decoded *out) {
    memset(out, 0, sizeof *out);
    struct jpeg_decompress_struct cinfo;
    vitrel_jpeg_error_manager errors;
    memset(&cinfo, 0, sizeof cinfo);
    memset(&errors, 0, sizeof errors);
    cinfo.err = jpeg_std_error(&errors.manager);
    errors.manager.error_exit = vitrel_jpeg_error_exit;
    errors.manager.emit_message = vitrel_jpeg_emit_message;
    errors.manager.output_message = vitrel_jpeg_output_message;
    /* Written after setjmp and read after a longjmp: must live in memory, not registers. */
    unsigned char *volatile pixels = NULL;

    if (setjmp(errors.jump)) {
        if (out->status == VITREL_JPEG_OK) {
            char error_text[JMSG_LENGTH_MAX];
            (*errors.manager.format_message)((j_common_ptr)&cinfo, error_text);
            int code = errors.manager.msg_code;
            if (errors.hit_end_of_data) {
                /* The cause is the missing data; the error is only what the fake EOI led to. */
                snprintf(out->message, sizeof out->message, "Premature end of JPEG file, then: %s", error_text);
                out->status = VITREL_JPEG_TRUNCATED;
            } else {
                memcpy(out->message, error_text, sizeof out->message);
                if (code == JERR_OUT_OF_MEMORY) out->status = VITREL_JPEG_NO_MEMORY;
                else if (code == JERR_BAD_PRECISION || code == JERR_CONVERSION_NOTIMPL
                         || code == JERR_NOT_COMPILED || code == JERR_ARITH_NOTIMPL)
                    out->status = VITREL_JPEG_UNSUPPORTED;
                else out->status = VITREL_JPEG_CORRUPT;
            }
        }
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        out->pixels = NULL;
        return;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);

    if (cinfo.jpeg_color_space == JCS_GRAYSCALE) {
        cinfo.out_color_space = JCS_GRAYSCALE;
    } else if (cinfo.jpeg_color_space == JCS_YCbCr || cinfo.jpeg_color_space == JCS_RGB) {
        cinfo.out_color_space = JCS_RGB;
    } else {
        out->status = VITREL_JPEG_UNSUPPORTED;
        snprintf(out->message, sizeof out->message, "colour space %d (only gray and YCbCr/RGB are read)",
                 (int)cinfo.jpeg_color_space);
        longjmp(errors.jump, 1);
    }
    if (cinfo.image_width == 0 || cinfo.image_height == 0
        || (size_t)cinfo.image_width > max_pixels / (size_t)cinfo.image_height) {
        out->status = VITREL_JPEG_TOO_LARGE;
        out->width = (int)cinfo.image_width;
        out->height = (int)cinfo.image_height;
        snprintf(out->message, sizeof out->message, "image dimensions exceed the pixel limit");
        longjmp(errors.jump, 1);
    }
    jpeg_start_decompress(&cinfo);
    size_t row_bytes = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    pixels = (unsigned char *)malloc(row_bytes * cinfo.output_height);
    if (!pixels) {
        out->status = VITREL_JPEG_NO_MEMORY;
        snprintf(out->message, sizeof out->message, "out of memory");
        longjmp(errors.jump, 1);
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + (size_t)cinfo.output_scanline * row_bytes;
        if (jpeg_read_scanlines(&cinfo, &row, 1) != 1) {
            out->status = VITREL_JPEG_TRUNCATED;
            snprintf(out->message, sizeof out->message, "no more scanlines");
            longjmp(errors.jump, 1);
        }
    }
    jpeg_finish_decompress(&cinfo);

    if (errors.hit_end_of_data || errors.damaged_data) {
        out->status = errors.hit_end_of_data ? VITREL_JPEG_TRUNCATED : VITREL_JPEG_CORRUPT;
        if (errors.hit_end_of_data) snprintf(out->message, sizeof out->message, "Premature end of JPEG file");
        else strncpy(out->message, errors.first_warning, sizeof out->message - 1);
        longjmp(errors.jump, 1);
    }
    out->width = (int)cinfo.output_width;
    out->height = (int)cinfo.output_height;
    out->channels = cinfo.output_components;
    out->pixels = pixels;
    out->pixel_bytes = row_bytes * cinfo.output_height;
    jpeg_destroy_decompress(&cinfo);
    out->status = VITREL_JPEG_OK;
}

#endif
