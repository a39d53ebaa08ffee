import CVitRelDICOM
import Foundation

/// DICOM radiographs through DCMTK (`Sources/CVitRelDICOM` holds the C++ side): the image as a
/// viewer displays it, which is what a radiologist reads and what the model is shown.
///
/// The steps, in DICOM's order (PS3.3 C.11, PS3.4 N.2):
/// 1. the stored values of the first (only) frame, decompressed when the transfer syntax is
///    JPEG (dcmjpeg), JPEG-LS (dcmjpls) or RLE (dcmdata);
/// 2. the modality LUT: Rescale Slope and Intercept (or a Modality LUT Sequence);
/// 3. the VOI transformation, the first that applies of: `window` (`--window C,W`); the file's
///    VOI LUT Sequence (its first item: preferred over a window when a file has both, as
///    pydicom's `apply_voi_lut` does); the file's first Window Center/Width; else a min–max
///    window over the modality values of the image (the darkest value black, the brightest
///    white). A file LUT or window DCMTK refuses (a width below 1) falls through to the next;
/// 4. presentation: MONOCHROME1 is inverted (high values dark), so bone is bright as in
///    MONOCHROME2;
/// 5. DCMTK's 16-bit rendering, which `DecodedSamples` scales to [0, 1] (v / 65535).
///
/// Refused, each in one line naming the file: files without pixel data, multi-frame files,
/// photometric interpretations other than MONOCHROME1/MONOCHROME2 (colour), compressed
/// syntaxes DCMTK does not decode (JPEG 2000 named as such), truncated or corrupt data.
enum DICOMCodec {
    /// JPEG 2000 (Part 1 and 2, lossless and lossy), JPIP and High-Throughput JPEG 2000:
    /// DCMTK has no decoder for any of them.
    static let jpeg2000Syntaxes: Set<String> = [
        "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.92", "1.2.840.10008.1.2.4.93",
        "1.2.840.10008.1.2.4.94", "1.2.840.10008.1.2.4.95",
        "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202", "1.2.840.10008.1.2.4.203",
    ]

    /// A file name read as DICOM even without the "DICM" magic: a bare dataset has none.
    static func claims(fileName name: String) -> Bool {
        name.lowercased().hasSuffix(".dcm")
    }

    /// The displayed image as 16-bit gray (see the type's note for the steps).
    static func decodeSamples(_ data: Data, name: String, window: DICOMWindow?) throws -> DecodedSamples {
        var info = vitrel_dicom_info()
        var file: OpaquePointer?
        let status = data.withUnsafeBytes { raw in
            vitrel_dicom_open(raw.bindMemory(to: UInt8.self).baseAddress, raw.count, &file, &info)
        }
        defer { vitrel_dicom_close(file) }
        let reason = text(&info.message)
        // A syntax DCMTK cannot read at all is the useful thing to say, even when parsing failed over it.
        try refuseTransferSyntax(info, name: name)
        switch Int(status) {
        case VITREL_DICOM_OK: break
        case VITREL_DICOM_TRUNCATED: throw ImageError.truncated(file: name, format: .dicom, detail: "DCMTK: \(reason)")
        case VITREL_DICOM_NO_MEMORY: throw ImageError.unreadable(file: name, reason: "out of memory while decoding DICOM")
        default: throw ImageError.corrupt(file: name, format: .dicom, detail: "DCMTK: \(reason)")
        }
        try checkImage(info, name: name)

        var gray: UnsafeMutablePointer<UInt16>?
        attempts: for voi in voiChoices(info, window: window) {
            var message = [CChar](repeating: 0, count: 256)
            let rendered = vitrel_dicom_render(file, voi.kind, 0, voi.center, voi.width, &gray, &message, message.count)
            let detail = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            switch Int(rendered) {
            case VITREL_DICOM_OK: break attempts
            case VITREL_DICOM_VOI_REFUSED where voi.fallsThrough: continue attempts
            case VITREL_DICOM_NO_MEMORY: throw ImageError.unreadable(file: name, reason: "out of memory while decoding DICOM")
            default: throw ImageError.corrupt(file: name, format: .dicom, detail: "DCMTK: \(detail)")
            }
        }
        guard let gray else { throw ImageError.corrupt(file: name, format: .dicom, detail: "DCMTK rendered no pixels") }
        let count = Int(info.rows) * Int(info.columns)
        // DecodedSamples holds 16-bit samples big-endian, as PNG stores them.
        for i in 0..<count { gray[i] = gray[i].bigEndian }
        let bytes = UnsafeRawPointer(gray).assumingMemoryBound(to: UInt8.self)
        return DecodedSamples(
            width: Int(info.columns), height: Int(info.rows), channels: 1, bitDepth: 16,
            bytes: UnsafeBufferPointer(start: bytes, count: 2 * count),
            release: { vitrel_dicom_free(UnsafeMutableRawPointer($0)?.assumingMemoryBound(to: UInt16.self)) })
    }

    /// One VOI transformation to try; `fallsThrough` when a refusal moves on to the next.
    private struct VOIChoice {
        var kind: Int32
        var center = 0.0
        var width = 0.0
        var fallsThrough = false
    }

    /// The VOI order of the type's note, ending in the min–max window that always applies.
    private static func voiChoices(_ info: vitrel_dicom_info, window: DICOMWindow?) -> [VOIChoice] {
        if let window { return [VOIChoice(kind: Int32(VITREL_DICOM_VOI_WINDOW), center: window.center, width: window.width)] }
        var choices = [VOIChoice]()
        if info.voi_lut_count > 0 { choices.append(VOIChoice(kind: Int32(VITREL_DICOM_VOI_FILE_LUT), fallsThrough: true)) }
        if info.window_count > 0 { choices.append(VOIChoice(kind: Int32(VITREL_DICOM_VOI_FILE_WINDOW), fallsThrough: true)) }
        choices.append(VOIChoice(kind: Int32(VITREL_DICOM_VOI_MIN_MAX)))
        return choices
    }

    private static func refuseTransferSyntax(_ info: vitrel_dicom_info, name: String) throws {
        var info = info
        let uid = text(&info.transfer_syntax_uid)
        guard !uid.isEmpty else { return }
        if jpeg2000Syntaxes.contains(uid) {
            throw ImageError.unsupportedDICOM(
                file: name, detail: "JPEG 2000 compression (transfer syntax \(uid)), which DCMTK cannot decode;"
                    + " convert the file to an uncompressed, JPEG, JPEG-LS or RLE syntax")
        }
        if info.transfer_syntax_known == 0 {
            throw ImageError.unsupportedDICOM(file: name, detail: "transfer syntax \(uid), unknown to DCMTK")
        }
        if info.has_pixel_data != 0 && info.decoder_available == 0 {
            throw ImageError.unsupportedDICOM(
                file: name, detail: "\(text(&info.transfer_syntax_name)) compression (transfer syntax \(uid)), which DCMTK cannot decode")
        }
    }

    /// The refusals that need the parsed dataset: not an image, several frames, colour, sizes.
    private static func checkImage(_ info: vitrel_dicom_info, name: String) throws {
        var info = info
        guard info.has_pixel_data != 0 else {
            throw ImageError.unsupportedDICOM(file: name, detail: "no pixel data (not an image)")
        }
        if info.frames > 1 {
            throw ImageError.unsupportedDICOM(file: name, detail: "\(info.frames) frames (one radiograph per file is read)")
        }
        let photometric = text(&info.photometric)
        guard photometric == "MONOCHROME1" || photometric == "MONOCHROME2", info.samples_per_pixel == 1 else {
            let described = photometric.isEmpty ? "no photometric interpretation" : "photometric interpretation \(photometric)"
            throw ImageError.unsupportedDICOM(
                file: name, detail: "\(described), \(info.samples_per_pixel) samples per pixel (only MONOCHROME1 and MONOCHROME2 gray images are read)")
        }
        let width = Int(info.columns), height = Int(info.rows)
        guard width > 0 && height > 0 else {
            throw ImageError.corrupt(file: name, format: .dicom, detail: "the image is \(width)×\(height) pixels (Columns × Rows)")
        }
        guard width * height <= ImageIO.maximumPixelCount else { throw ImageError.tooLarge(file: name, width: width, height: height) }
        // DCMTK would pad short native pixel data with black and say so only in its (silenced) log.
        let bits = Int(info.bits_allocated)
        if info.encapsulated == 0 && bits > 0 {
            let needed = (width * height * bits + 7) / 8
            if Int(clamping: info.pixel_data_length) < needed {
                throw ImageError.truncated(
                    file: name, format: .dicom,
                    detail: "the pixel data holds \(info.pixel_data_length) bytes, \(width)×\(height) pixels of \(bits) bits need \(needed)")
            }
        }
    }

    /// A NUL-terminated C string field of `vitrel_dicom_info`.
    private static func text<Field>(_ field: inout Field) -> String {
        withUnsafeBytes(of: &field) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
