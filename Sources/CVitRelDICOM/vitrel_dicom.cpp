// DCMTK behind vitrel_dicom.h: parse with dcmdata, render with dcmimgle. Policy (what is
// refused, which VOI) and every message shown to users live in Swift; this file only reports
// what the dataset declares and renders as told.
#include "vitrel_dicom.h"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <new>

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dccodec.h"
#include "dcmtk/dcmdata/dcistrmb.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmimgle/dcmimage.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

struct vitrel_dicom_file {
    DcmFileFormat format;
};

namespace {

std::once_flag setupOnce;

// Once per process: DCMTK's logger off (it would print warnings about odd files to stderr,
// which vitrel reports in its own one line), and the decoders of the compressed syntaxes
// DCMTK has registered, so that dcmimgle can decompress pixel data. They stay registered
// for the life of the process.
void setUp() {
    std::call_once(setupOnce, [] {
        OFLog::configure(OFLogger::OFF_LOG_LEVEL);
        DcmRLEDecoderRegistration::registerCodecs();
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
    });
}

void copyText(char *to, size_t capacity, const char *from) {
    if (to == nullptr || capacity == 0) return;
    std::strncpy(to, from != nullptr ? from : "", capacity - 1);
    to[capacity - 1] = 0;
}

int count(DcmDataset &dataset, const DcmTagKey &key) {
    DcmElement *element = nullptr;
    if (dataset.findAndGetElement(key, element).bad() || element == nullptr) return 0;
    return static_cast<int>(element->getVM());
}

void describe(DcmFileFormat &format, vitrel_dicom_info *info) {
    DcmDataset &dataset = *format.getDataset();
    OFString uid;
    DcmMetaInfo *meta = format.getMetaInfo();
    if (meta == nullptr || meta->findAndGetOFString(DCM_TransferSyntaxUID, uid).bad() || uid.empty()) {
        E_TransferSyntax original = dataset.getOriginalXfer();
        if (original != EXS_Unknown) uid = DcmXfer(original).getXferID();
    }
    copyText(info->transfer_syntax_uid, sizeof info->transfer_syntax_uid, uid.c_str());
    DcmXfer xfer(uid.c_str());
    E_TransferSyntax syntax = xfer.getXfer();
    info->transfer_syntax_known = syntax != EXS_Unknown;
    if (info->transfer_syntax_known) {
        copyText(info->transfer_syntax_name, sizeof info->transfer_syntax_name, xfer.getXferName());
        info->encapsulated = xfer.isEncapsulated();
        info->decoder_available = !info->encapsulated || DcmCodecList::canChangeCoding(syntax, EXS_LittleEndianExplicit);
    }
    DcmElement *pixelData = nullptr;
    if (dataset.findAndGetElement(DCM_PixelData, pixelData).good() && pixelData != nullptr) {
        info->has_pixel_data = 1;
        if (!info->encapsulated) info->pixel_data_length = pixelData->getLength();
    }
    Uint16 value = 0;
    if (dataset.findAndGetUint16(DCM_Rows, value).good()) info->rows = value;
    if (dataset.findAndGetUint16(DCM_Columns, value).good()) info->columns = value;
    if (dataset.findAndGetUint16(DCM_SamplesPerPixel, value).good()) info->samples_per_pixel = value;
    if (dataset.findAndGetUint16(DCM_BitsAllocated, value).good()) info->bits_allocated = value;
    if (dataset.findAndGetUint16(DCM_BitsStored, value).good()) info->bits_stored = value;
    if (dataset.findAndGetUint16(DCM_PixelRepresentation, value).good()) info->pixel_representation = value;
    Sint32 frames = 1;
    info->frames = dataset.findAndGetSint32(DCM_NumberOfFrames, frames).good() ? frames : 1;
    OFString photometric;
    if (dataset.findAndGetOFString(DCM_PhotometricInterpretation, photometric).good()) {
        copyText(info->photometric, sizeof info->photometric, photometric.c_str());
    }
    int centers = count(dataset, DCM_WindowCenter), widths = count(dataset, DCM_WindowWidth);
    info->window_count = centers < widths ? centers : widths;
    DcmSequenceOfItems *luts = nullptr;
    if (dataset.findAndGetSequence(DCM_VOILUTSequence, luts).good() && luts != nullptr) {
        info->voi_lut_count = static_cast<int>(luts->card());
    }
}

}  // namespace

extern "C" int vitrel_dicom_open(const uint8_t *bytes, size_t count, vitrel_dicom_file **file, vitrel_dicom_info *info) {
    if (file == nullptr || info == nullptr) return VITREL_DICOM_INVALID_ARGUMENT;
    *file = nullptr;
    std::memset(info, 0, sizeof *info);
    info->frames = 1;
    if (bytes == nullptr || count == 0) return VITREL_DICOM_INVALID_ARGUMENT;
    try {
        setUp();
        std::unique_ptr<vitrel_dicom_file> opened(new vitrel_dicom_file);
        DcmInputBufferStream stream;
        stream.setBuffer(bytes, static_cast<offile_off_t>(count));
        stream.setEos();
        opened->format.transferInit();
        // DCM_UndefinedLength: every value is loaded now; a buffer stream cannot be re-read later.
        OFCondition status = opened->format.read(stream, EXS_Unknown, EGL_noChange, DCM_UndefinedLength);
        opened->format.transferEnd();
        describe(opened->format, info);
        if (status.bad()) {
            copyText(info->message, sizeof info->message, status.text());
            // The parser stopped waiting for bytes that never came (dcmdata's "I/O suspension"),
            // or failed with every byte consumed: either way the data ends inside an element.
            bool ended = status == EC_StreamNotifyClient || stream.eos();
            return ended ? VITREL_DICOM_TRUNCATED : VITREL_DICOM_CORRUPT;
        }
        *file = opened.release();
        return VITREL_DICOM_OK;
    } catch (const std::bad_alloc &) {
        copyText(info->message, sizeof info->message, "out of memory");
        return VITREL_DICOM_NO_MEMORY;
    } catch (...) {
        copyText(info->message, sizeof info->message, "DCMTK failed while parsing");
        return VITREL_DICOM_CORRUPT;
    }
}

extern "C" int vitrel_dicom_render(vitrel_dicom_file *file, int voi, unsigned long index, double center, double width,
                                   uint16_t **gray, char *message, size_t message_capacity) {
    if (file == nullptr || gray == nullptr) return VITREL_DICOM_INVALID_ARGUMENT;
    *gray = nullptr;
    try {
        DcmDataset *dataset = file->format.getDataset();
        // One frame (the caller refuses multi-frame files); the dataset stays owned by `file`.
        DicomImage image(dataset, dataset->getOriginalXfer(), 0UL, 0UL, 1UL);
        if (image.getStatus() != EIS_Normal) {
            copyText(message, message_capacity, DicomImage::getString(image.getStatus()));
            return VITREL_DICOM_RENDER_FAILED;
        }
        if (!image.isMonochrome()) {
            copyText(message, message_capacity, "not a monochrome image");
            return VITREL_DICOM_RENDER_FAILED;
        }
        int applied = 0;
        const char *what = "";
        switch (voi) {
        case VITREL_DICOM_VOI_FILE_LUT: applied = image.setVoiLut(index); what = "the file's VOI LUT"; break;
        case VITREL_DICOM_VOI_FILE_WINDOW: applied = image.setWindow(index); what = "the file's window"; break;
        case VITREL_DICOM_VOI_WINDOW: applied = image.setWindow(center, width); what = "the window"; break;
        case VITREL_DICOM_VOI_MIN_MAX: applied = image.setMinMaxWindow(0); what = "a min-max window"; break;
        default: return VITREL_DICOM_INVALID_ARGUMENT;
        }
        if (!applied) {
            OFString text = OFString("DCMTK could not apply ") + what;
            copyText(message, message_capacity, text.c_str());
            return VITREL_DICOM_VOI_REFUSED;
        }
        const size_t pixels = static_cast<size_t>(image.getWidth()) * image.getHeight();
        const void *rendered = image.getOutputData(16, 0);
        if (rendered == nullptr || image.getOutputDataSize(16) != pixels * sizeof(uint16_t)) {
            OFString text = OFString("DCMTK could not render the pixel data");
            if (image.getStatus() != EIS_Normal) text += OFString(": ") + DicomImage::getString(image.getStatus());
            copyText(message, message_capacity, text.c_str());
            return VITREL_DICOM_RENDER_FAILED;
        }
        uint16_t *copy = static_cast<uint16_t *>(std::malloc(pixels * sizeof(uint16_t)));
        if (copy == nullptr) {
            copyText(message, message_capacity, "out of memory");
            return VITREL_DICOM_NO_MEMORY;
        }
        std::memcpy(copy, rendered, pixels * sizeof(uint16_t));
        *gray = copy;
        return VITREL_DICOM_OK;
    } catch (const std::bad_alloc &) {
        copyText(message, message_capacity, "out of memory");
        return VITREL_DICOM_NO_MEMORY;
    } catch (...) {
        copyText(message, message_capacity, "DCMTK failed while rendering");
        return VITREL_DICOM_RENDER_FAILED;
    }
}

extern "C" void vitrel_dicom_close(vitrel_dicom_file *file) { delete file; }

extern "C" void vitrel_dicom_free(uint16_t *gray) { std::free(gray); }
