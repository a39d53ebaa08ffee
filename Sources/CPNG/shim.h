#ifndef VITREL_CPNG_SHIM_H
#define VITREL_CPNG_SHIM_H
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

/*
 * Whole-buffer PNG decode and encode for Swift.
 *
 * libpng reports errors by longjmp out of its error callback; Swift cannot call setjmp, so
 * the setjmp, every libpng call and the clean-up live here, in C. Swift sees two plain
 * functions that return a status and a one-line message, never a jump and never exit().
 */

enum {
    VITREL_PNG_OK = 0,
    VITREL_PNG_TRUNCATED = 1,   /* the data ended before the image did */
    VITREL_PNG_CORRUPT = 2,     /* libpng rejected the data: bad CRC, bad zlib stream, ... */
    VITREL_PNG_TOO_LARGE = 3,   /* more pixels than the caller allows */
    VITREL_PNG_NO_MEMORY = 4,
    VITREL_PNG_INVALID_ARGUMENT = 5
};

typedef struct {
    /* Output image: interleaved samples, rows top to bottom. 16-bit samples stay big-endian
       as PNG stores them. Palettes become RGB (RGBA when a tRNS chunk is present); 1/2/4-bit
       gray is scaled to 8 bits (libpng's png_set_expand_gray_1_2_4_to_8). */
    unsigned char *pixels; /* malloc'd; release with vitrel_png_free */
    size_t pixel_bytes;
    int width, height, channels, bit_depth;
    /* What the file declares. */
    int source_bit_depth, source_color_type, interlaced;
    int status;
    char message[256];
} vitrel_png_decoded;

typedef struct {
    const unsigned char *data;
    size_t size, offset;
    int ran_out;
    jmp_buf jump;
    char *message;
    size_t message_capacity;
} vitrel_png_reader;

static inline void vitrel_png_copy_message(char *to, size_t capacity, const char *from) {
    if (capacity == 0) return;
    strncpy(to, from ? from : "unknown error", capacity - 1);
    to[capacity - 1] = 0;
}

static inline void vitrel_png_read_error(png_structp png, png_const_charp message) {
    vitrel_png_reader *reader = (vitrel_png_reader *)png_get_error_ptr(png);
    vitrel_png_copy_message(reader->message, reader->message_capacity, message);
    longjmp(reader->jump, 1);
}

static inline void vitrel_png_ignore_warning(png_structp png, png_const_charp message) {
    (void)png; (void)message; /* libpng recovers from warnings (e.g. a bad ancillary CRC) */
}

static inline void vitrel_png_read_bytes(png_structp png, png_bytep out, png_size_t count) {
    vitrel_png_reader *reader = (vitrel_png_reader *)png_get_io_ptr(png);
    if (count > reader->size - reader->offset) {
        reader->ran_out = 1;
        png_error(png, "unexpected end of data");
    }
    memcpy(out, reader->data + reader->offset, count);
    reader->offset += count;
}

static inline void vitrel_png_free(void *pointer) { free(pointer); }

/* Decodes a complete PNG held in memory. `max_pixels` bounds width × height. */
static inline void vitrel_png_decode(
    const unsigned char *data, size_t size, size_t max_pixels, vitrel_png_decoded *out) {
    memset(out, 0, sizeof *out);
    vitrel_png_reader reader;
    memset(&reader, 0, sizeof reader);
    reader.data = data;
    reader.size = size;
    reader.message = out->message;
    reader.message_capacity = sizeof out->message;

    png_structp png = png_create_read_struct(
        PNG_LIBPNG_VER_STRING, &reader, vitrel_png_read_error, vitrel_png_ignore_warning);
    if (!png) { out->status = VITREL_PNG_NO_MEMORY; vitrel_png_copy_message(out->message, sizeof out->message, "out of memory"); return; }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        out->status = VITREL_PNG_NO_MEMORY; vitrel_png_copy_message(out->message, sizeof out->message, "out of memory");
        return;
    }
    /* Written after setjmp and read after a longjmp: must live in memory, not registers. */
    unsigned char *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;

    if (setjmp(reader.jump)) {
        png_destroy_read_struct(&png, &info, NULL);
        free(rows);
        free(pixels);
        out->pixels = NULL;
        if (out->status == VITREL_PNG_OK) {
            if (reader.ran_out) out->status = VITREL_PNG_TRUNCATED;
            else if (strstr(out->message, "user limit")) out->status = VITREL_PNG_TOO_LARGE;
            else if (strstr(out->message, "memory")) out->status = VITREL_PNG_NO_MEMORY;
            else out->status = VITREL_PNG_CORRUPT;
        }
        return;
    }
    png_set_read_fn(png, &reader, vitrel_png_read_bytes);
    png_read_info(png, info);

    png_uint_32 width = 0, height = 0;
    int bit_depth = 0, color_type = 0, interlace = 0;
    png_get_IHDR(png, info, &width, &height, &bit_depth, &color_type, &interlace, NULL, NULL);
    out->source_bit_depth = bit_depth;
    out->source_color_type = color_type;
    out->interlaced = interlace != PNG_INTERLACE_NONE;
    if (width == 0 || height == 0 || (size_t)width > max_pixels / (size_t)height) {
        out->status = VITREL_PNG_TOO_LARGE;
        vitrel_png_copy_message(out->message, sizeof out->message, "image dimensions exceed the pixel limit");
        longjmp(reader.jump, 1);
    }
    if (color_type == PNG_COLOR_TYPE_PALETTE) {
        png_set_palette_to_rgb(png);
        if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    }
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    int channels = png_get_channels(png, info);
    int depth = png_get_bit_depth(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if ((depth != 8 && depth != 16) || channels < 1 || channels > 4
        || row_bytes != (size_t)width * (size_t)channels * (size_t)(depth / 8)) {
        vitrel_png_copy_message(out->message, sizeof out->message, "unexpected sample layout after expansion");
        out->status = VITREL_PNG_CORRUPT;
        longjmp(reader.jump, 1);
    }
    pixels = (unsigned char *)malloc(row_bytes * height);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * height);
    if (!pixels || !rows) {
        out->status = VITREL_PNG_NO_MEMORY;
        vitrel_png_copy_message(out->message, sizeof out->message, "out of memory");
        longjmp(reader.jump, 1);
    }
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * row_bytes;
    png_read_image(png, rows);
    /* Reads the chunks after the image data up to IEND, so a cut-off file is reported. */
    png_read_end(png, NULL);

    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    out->pixels = pixels;
    out->pixel_bytes = row_bytes * height;
    out->width = (int)width;
    out->height = (int)height;
    out->channels = channels;
    out->bit_depth = depth;
    out->status = VITREL_PNG_OK;
}

typedef struct {
    unsigned char *data;
    size_t size, capacity;
    jmp_buf jump;
    char *message;
    size_t message_capacity;
} vitrel_png_writer;

static inline void vitrel_png_write_error(png_structp png, png_const_charp message) {
    vitrel_png_writer *writer = (vitrel_png_writer *)png_get_error_ptr(png);
    vitrel_png_copy_message(writer->message, writer->message_capacity, message);
    longjmp(writer->jump, 1);
}

static inline void vitrel_png_write_bytes(png_structp png, png_bytep bytes, png_size_t count) {
    vitrel_png_writer *writer = (vitrel_png_writer *)png_get_io_ptr(png);
    if (count > writer->capacity - writer->size) {
        size_t capacity = writer->capacity ? writer->capacity : 4096;
        while (count > capacity - writer->size) {
            if (capacity > ((size_t)-1) / 2) png_error(png, "out of memory");
            capacity *= 2;
        }
        unsigned char *grown = (unsigned char *)realloc(writer->data, capacity);
        if (!grown) png_error(png, "out of memory");
        writer->data = grown;
        writer->capacity = capacity;
    }
    memcpy(writer->data + writer->size, bytes, count);
    writer->size += count;
}

static inline void vitrel_png_flush(png_structp png) { (void)png; }

/* Encodes interleaved samples (16-bit big-endian) as a non-interlaced PNG in memory.
   On success returns VITREL_PNG_OK and a malloc'd buffer in *encoded (free with
   vitrel_png_free); otherwise a status and a message. */
static inline int vitrel_png_encode(
    const unsigned char *pixels, int width, int height, int channels, int bit_depth,
    unsigned char **encoded, size_t *encoded_size, char *message, size_t message_capacity) {
    *encoded = NULL;
    *encoded_size = 0;
    static const int color_types[5] = {
        -1, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA};
    if (width <= 0 || height <= 0 || channels < 1 || channels > 4 || (bit_depth != 8 && bit_depth != 16)) {
        vitrel_png_copy_message(message, message_capacity, "unsupported width, height, channel count or bit depth");
        return VITREL_PNG_INVALID_ARGUMENT;
    }
    vitrel_png_writer writer;
    memset(&writer, 0, sizeof writer);
    writer.message = message;
    writer.message_capacity = message_capacity;
    png_structp png = png_create_write_struct(
        PNG_LIBPNG_VER_STRING, &writer, vitrel_png_write_error, vitrel_png_ignore_warning);
    if (!png) { vitrel_png_copy_message(message, message_capacity, "out of memory"); return VITREL_PNG_NO_MEMORY; }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        vitrel_png_copy_message(message, message_capacity, "out of memory");
        return VITREL_PNG_NO_MEMORY;
    }
    if (setjmp(writer.jump)) {
        png_destroy_write_struct(&png, &info);
        free(writer.data);
        return strstr(message, "memory") ? VITREL_PNG_NO_MEMORY : VITREL_PNG_INVALID_ARGUMENT;
    }
    png_set_write_fn(png, &writer, vitrel_png_write_bytes, vitrel_png_flush);
    png_set_compression_level(png, 6);
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, bit_depth, color_types[channels],
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    size_t row_bytes = (size_t)width * (size_t)channels * (size_t)(bit_depth / 8);
    for (int y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(pixels + (size_t)y * row_bytes));
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *encoded = writer.data;
    *encoded_size = writer.size;
    return VITREL_PNG_OK;
}

#endif
