import Foundation

/// A Hugging Face folder's `preprocessor_config.json`, read into `Preprocessing`.
///
/// The three processors vitrel reads share transformers' one pipeline (`PilBackend._preprocess`
/// in `image_processing_backends.py`): resize, centre crop, rescale, normalise. They differ
/// only in their defaults (`models/{vit,bit,deit}/image_processing_pil_*.py`), which matter
/// when the file leaves a field out:
///
/// | image_processor_type  | size                   | resample | centre crop | mean / std          |
/// |-----------------------|------------------------|----------|-------------|---------------------|
/// | `ViTImageProcessor`   | 224 × 224              | bilinear | no          | 0.5 / 0.5           |
/// | `BitImageProcessor`   | shortest_edge 224      | bicubic  | 224 × 224   | OpenAI CLIP's       |
/// | `DeiTImageProcessor`  | 256 × 256              | bicubic  | 224 × 224   | 0.5 / 0.5           |
///
/// (vitrel reads a ViT folder without `size` at the model's image_size, as it always has.
/// DINOv2's hub folders name `BitImageProcessor` with shortest_edge 256, crop 224 and
/// ImageNet's mean and std.) vitrel reproduces the PIL backend (`backend="pil"`, formerly
/// `use_fast=False`), which resizes the 8-bit image with Pillow; the torchvision ("fast")
/// backends resize tensors with torchvision and differ from it by a few codes.
enum HuggingFaceImageProcessor {
    enum Kind: String, CaseIterable {
        case vit = "ViTImageProcessor"
        case bit = "BitImageProcessor"
        case deit = "DeiTImageProcessor"
    }

    /// transformers `image_utils`: IMAGENET_STANDARD_MEAN/STD and OPENAI_CLIP_MEAN/STD.
    static let standardMean = [0.5, 0.5, 0.5], standardStd = [0.5, 0.5, 0.5]
    static let clipMean = [0.48145466, 0.4578275, 0.40821073], clipStd = [0.26862954, 0.26130258, 0.27577711]

    /// The processor a file names; "…Fast" and "…Pil" name the same processor's backends.
    /// Without `image_processor_type`, the family's own processor.
    static func kind(_ fields: ConfigFields, family: HuggingFaceConfig.Family) throws -> Kind {
        guard let name = try fields.string("image_processor_type") else {
            switch family {
            case .vit: return .vit
            case .deit: return .deit
            case .dinov2, .dinov2WithRegisters: return .bit
            }
        }
        var base = name
        for suffix in ["Fast", "Pil"] where base.hasSuffix(suffix) { base = String(base.dropLast(suffix.count)) }
        guard let kind = Kind(rawValue: base) else {
            let names = Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw CheckpointError.unsupportedConfig(file: fields.file, detail: "image_processor_type '\(name)' (vitrel reads \(names))")
        }
        return kind
    }

    /// Resize, optional centre crop, rescale, normalise. Preprocessing always maps pixels to
    /// [0, 1] first, so rescaling other than by 1/255 (or none) is folded into mean and std:
    /// (255 f x − m) / s = (x − m / 255f) / (s / 255f) for x in [0, 1].
    ///
    /// `size` {height, width} without a crop is an exact resize; with `crop_size`, resize then
    /// centre crop (`DeiTImageProcessor`). `size` {shortest_edge} resizes the shorter side, then
    /// centre crops to `crop_size` (`BitImageProcessor`), or, without a crop, to edge × edge
    /// (the whole image for square X-rays; transformers would keep the longer side).
    static func preprocessing(_ fields: ConfigFields, kind: Kind, config: ViTConfig) throws -> Preprocessing {
        let doCrop = try fields.bool("do_center_crop") ?? (kind != .vit)
        let doResize = try fields.bool("do_resize") ?? true
        if doCrop && !doResize {
            throw CheckpointError.unsupportedConfig(file: fields.file, detail: "do_center_crop without do_resize (vitrel resizes before it crops)")
        }
        // Without `size`, the class default (a ViT folder without one has always been read at
        // the model's own size). do_resize false: inputs must already have the model's size,
        // which an exact resize keeps.
        var resize: (height: Int, width: Int)?, shortestEdge: Int?
        switch kind {
        case .vit: resize = (config.imageHeight, config.imageWidth)
        case .deit: resize = (256, 256)
        case .bit: shortestEdge = 224
        }
        if !doResize {
            (resize, shortestEdge) = ((config.imageHeight, config.imageWidth), nil)
        } else if let size = fields.value("size") {
            if let side = size.exactInteger, side > 0 {
                (resize, shortestEdge) = ((side, side), nil)
            } else if let sizeFields = try fields.object("size") {
                if let h = try sizeFields.int("height"), let w = try sizeFields.int("width"), h > 0, w > 0 {
                    (resize, shortestEdge) = ((h, w), nil)
                } else if let edge = try sizeFields.int("shortest_edge"), edge > 0 {
                    if sizeFields.has("longest_edge") {
                        throw CheckpointError.unsupportedConfig(file: fields.file, detail: "size.longest_edge (vitrel resizes to shortest_edge alone)")
                    }
                    (resize, shortestEdge) = (nil, edge)
                } else {
                    throw fields.invalid("size", "needs positive height and width, or shortest_edge")
                }
            } else {
                throw fields.invalid("size", "is \(size.kindDescription), expected {height, width} or {shortest_edge}")
            }
        }
        var crop: (height: Int, width: Int)?
        if doCrop {
            crop = (224, 224)
            if let value = fields.value("crop_size") {
                if let side = value.exactInteger, side > 0 {
                    crop = (side, side)
                } else if let cropFields = try fields.object("crop_size"),
                          let h = try cropFields.int("height"), let w = try cropFields.int("width"), h > 0, w > 0 {
                    crop = (h, w)
                } else {
                    throw fields.invalid("crop_size", "needs positive height and width")
                }
            }
        }
        let (height, width, resizeMode): (Int, Int, Preprocessing.ResizeMode)
        var resizeHeight: Int?, resizeWidth: Int?
        if let edge = shortestEdge {
            (height, width) = crop ?? (edge, edge)
            resizeMode = .shortestEdgeThenCenterCrop
            resizeHeight = edge
        } else if let crop, let resize {
            (height, width) = crop
            resizeMode = .exactThenCenterCrop
            (resizeHeight, resizeWidth) = (resize.height, resize.width)
        } else {
            (height, width) = resize!
            resizeMode = .exact
        }

        // PIL resampling codes (PIL.Image.Resampling, transformers' PILImageResampling).
        let resample = try fields.int("resample") ?? (kind == .vit ? 2 : 3)
        let interpolation: Preprocessing.Interpolation
        switch resample {
        case 0: interpolation = .nearest
        case 1: interpolation = .lanczos
        case 2: interpolation = .bilinear
        case 3: interpolation = .bicubic
        case 4: interpolation = .box
        case 5: interpolation = .hamming
        default:
            throw CheckpointError.unsupportedConfig(
                file: fields.file, detail: "resample \(resample) (PIL's codes are 0 nearest, 1 lanczos, 2 bilinear, 3 bicubic, 4 box, 5 hamming)")
        }
        let doRescale = try fields.bool("do_rescale") ?? true
        let factor = doRescale ? try fields.double("rescale_factor") ?? 1 / 255 : 1
        guard factor > 0 else { throw fields.invalid("rescale_factor", "must be positive, got \(factor)") }
        // The processor sees bytes b = 255 x; 0.00392156862745098 · 255 misses 1 by an ulp.
        let scale = abs(factor * 255 - 1) < 1e-9 ? 1 : factor * 255
        var mean = [Double](repeating: 0, count: config.channels)
        var std = [Double](repeating: 1, count: config.channels)
        if try fields.bool("do_normalize") ?? true {
            mean = try fields.doubles("image_mean") ?? (kind == .bit ? clipMean : standardMean)
            std = try fields.doubles("image_std") ?? (kind == .bit ? clipStd : standardStd)
            if mean.count == 1 { mean = Array(repeating: mean[0], count: config.channels) }
            if std.count == 1 { std = Array(repeating: std[0], count: config.channels) }
        }
        guard !mean.isEmpty, mean.count == std.count, std.allSatisfy({ $0 > 0 }) else {
            throw fields.invalid("image_std", "and image_mean must be non-empty, of equal length, with std > 0")
        }
        return Preprocessing(
            inputHeight: height, inputWidth: width, interpolation: interpolation, resizeMode: resizeMode,
            cropPercent: 1, mean: mean.map { $0 / scale }, std: std.map { $0 / scale },
            resizeHeight: resizeHeight, resizeWidth: resizeWidth)
    }
}
