#ifndef VITREL_DICOM_H
#define VITREL_DICOM_H
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One DICOM file through DCMTK (dcmdata parses, dcmimgle renders), as plain C for Swift.

   The C side is mechanism only: it parses, reports what the dataset says, and renders with the
   VOI transformation it is told to use. Which VOI, what is refused and every message are
   decided in Swift (VitRelImaging/DICOMCodec.swift). DCMTK's logger is switched off on first
   use, so nothing is ever printed; no C++ exception leaves these functions.

       vitrel_dicom_file *file; vitrel_dicom_info info;
       if (vitrel_dicom_open(bytes, count, &file, &info) == VITREL_DICOM_OK) {
           uint16_t *gray; char why[256];
           if (vitrel_dicom_render(file, VITREL_DICOM_VOI_FILE_WINDOW, 0, 0, 0, &gray, why, sizeof why) == VITREL_DICOM_OK) {
               ...; vitrel_dicom_free(gray);
           }
           vitrel_dicom_close(file);
       }
*/

enum {
    VITREL_DICOM_OK = 0,
    VITREL_DICOM_TRUNCATED = 1,    /* the data ended inside an element */
    VITREL_DICOM_CORRUPT = 2,      /* dcmdata could not parse the data */
    VITREL_DICOM_RENDER_FAILED = 3,/* dcmimgle refused the pixel data (message says why) */
    VITREL_DICOM_NO_MEMORY = 4,
    VITREL_DICOM_INVALID_ARGUMENT = 5,
    VITREL_DICOM_VOI_REFUSED = 6   /* dcmimgle refused the VOI asked for (a width < 1, no such item) */
};

/* The VOI transformation render applies (PS3.3 C.11.2). */
enum {
    VITREL_DICOM_VOI_FILE_LUT = 0,     /* the file's VOI LUT Sequence item `index` */
    VITREL_DICOM_VOI_FILE_WINDOW = 1,  /* the file's Window Center/Width pair `index` */
    VITREL_DICOM_VOI_WINDOW = 2,       /* the given centre and width (width >= 1) */
    VITREL_DICOM_VOI_MIN_MAX = 3       /* a window over the modality values' min and max */
};

/* What the file declares; zeros and empty strings where an attribute is absent. */
typedef struct {
    char transfer_syntax_uid[68];  /* from the meta header, else the syntax the data was read in */
    char transfer_syntax_name[96]; /* DCMTK's name of it; empty when DCMTK does not know the UID */
    int transfer_syntax_known;     /* DCMTK knows the UID */
    int encapsulated;              /* compressed (encapsulated pixel data) */
    int decoder_available;         /* uncompressed, or a decoder registered here handles it */
    int has_pixel_data;
    uint64_t pixel_data_length;    /* bytes of native (uncompressed) pixel data; 0 when encapsulated */
    int rows, columns;
    long frames;                   /* Number of Frames; 1 when absent */
    int samples_per_pixel;
    char photometric[20];          /* e.g. "MONOCHROME2" */
    int bits_allocated, bits_stored, pixel_representation;
    int window_count;              /* Window Center/Width pairs */
    int voi_lut_count;             /* VOI LUT Sequence items */
    char message[256];             /* on failure: DCMTK's reason */
} vitrel_dicom_info;

typedef struct vitrel_dicom_file vitrel_dicom_file;

/* Parses `count` bytes (with or without the 128-byte preamble and meta header). On success
   *file holds the dataset (close it); `info` is filled as far as the data went even on failure. */
int vitrel_dicom_open(const uint8_t *bytes, size_t count, vitrel_dicom_file **file, vitrel_dicom_info *info);

/* Renders the first frame to gray samples as displayed: modality LUT (Rescale Slope/Intercept
   or Modality LUT Sequence), the VOI transformation asked for, presentation as MONOCHROME2
   (MONOCHROME1 is inverted so that high = bright). *gray gets rows × columns uint16 in native
   byte order, 0 black … 65535 white (malloc'd: vitrel_dicom_free). */
int vitrel_dicom_render(vitrel_dicom_file *file, int voi, unsigned long index, double center, double width,
                        uint16_t **gray, char *message, size_t message_capacity);

void vitrel_dicom_close(vitrel_dicom_file *file);
void vitrel_dicom_free(uint16_t *gray);

#ifdef __cplusplus
}
#endif
#endif
