import Foundation
import VitRel

/// Seeded mutations of model folders, images and command lines. Each mutation of a file is
/// recorded as `FuzzCase.Edit`s of its seed, so a case found is a small, replayable fixture.
public struct FuzzMutator {
    public var generator: SeededGenerator

    public init(seed: UInt64, iteration: Int) {
        generator = SeededGenerator(seed: seed, stream: UInt64(iteration))
    }

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &generator) < p }
    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &generator)] }

    // MARK: bytes

    /// Bytes that make parsers take unusual branches.
    static let interestingBytes: [UInt8] = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x22, 0x2C, 0x7B, 0x7D, 0x5B, 0x5D, 0x30, 0x39, 0x2D, 0x2E, 0x65]
    /// Little-endian floats that break arithmetic: NaN, ±∞, the largest finite, a subnormal, −0.
    static let interestingFloats: [Float] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, 3e38, .leastNonzeroMagnitude, -0.0, 1e20]

    /// One to four byte-level edits: flips, interesting bytes, inserted or removed runs,
    /// a truncation, a repeated block.
    public mutating func byteEdits(of data: Data) -> [FuzzCase.Edit] {
        var edits = [FuzzCase.Edit](), length = data.count
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            let at = length == 0 ? 0 : Int.random(in: 0..<length, using: &generator)
            let edit: FuzzCase.Edit
            switch Int.random(in: 0..<6, using: &generator) {
            case 0 where length > 0:
                edit = FuzzCase.Edit(at: at, remove: 1, insert: Data([data[min(at, data.count - 1)] ^ (1 << UInt8.random(in: 0..<8, using: &generator))]))
            case 1:
                edit = FuzzCase.Edit(at: at, remove: length > 0 ? 1 : 0, insert: Data([pick(Self.interestingBytes)]))
            case 2:
                edit = FuzzCase.Edit(at: at, remove: 0, insert: Data((0..<Int.random(in: 1...16, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }))
            case 3:
                edit = FuzzCase.Edit(at: at, remove: Int.random(in: 1...64, using: &generator), insert: Data())
            case 4:
                edit = FuzzCase.Edit(at: at, remove: length, insert: Data())  // truncate
            default:
                let start = length == 0 ? 0 : Int.random(in: 0..<length, using: &generator)
                let block = data.count > start ? data[start..<min(data.count, start + 32)] : Data()
                edit = FuzzCase.Edit(at: at, remove: 0, insert: Data(block))
            }
            edits.append(edit)
            length = max(0, length - min(edit.remove, max(0, length - edit.at))) + (Data(base64Encoded: edit.insert)?.count ?? 0)
        }
        return edits
    }

    // MARK: structure-aware

    /// Values that test what a config's numbers imply.
    static let interestingJSON: [Any] = [
        0, -1, 1, 2, 3, 8, 1e-9, 1e-45, 1e308, -1e308, 65536, 9_223_372_036_854_775_807, 0.5, "", "nan", "inf", "bicubic",
        "nearest", "lanczos", "avg", "token", NSNull(), true, [Any](), [String: Any](), [0, 0, 0], [1e-45, 1e-45, 1e-45],
        [65536, 65536], ["", "", ""], ["a", "b", "a"], [3, 0, 0], Array(repeating: "c", count: 1000),
    ]

    /// config.json with one value replaced, a key removed or a key added, at any depth.
    public mutating func mutateJSON(_ data: Data) -> Data? {
        guard var root = try? JSONSerialization.jsonObject(with: data) else { return nil }
        for _ in 0..<Int.random(in: 1...3, using: &generator) { root = mutate(root, depth: 0) }
        return try? JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
    }

    private mutating func mutate(_ value: Any, depth: Int) -> Any {
        if var object = value as? [String: Any], !object.isEmpty {
            let key = pick(object.keys.sorted())
            switch Int.random(in: 0..<10, using: &generator) {
            case 0: object[key] = nil
            case 1: object[pick(["num_classes", "img_size", "patch_size", "embed_dim", "depth", "num_heads", "mlp_ratio",
                                "crop_pct", "mean", "std", "interpolation", "input_size", "label_names", "global_pool",
                                "layer_norm_eps", "class_token", "qkv_bias", "fc_norm", "dynamic_img_size"])] = pick(Self.interestingJSON)
            case 2, 3: object[key] = pick(Self.interestingJSON)
            default: object[key] = mutate(object[key]!, depth: depth + 1)
            }
            return object
        }
        if var array = value as? [Any], !array.isEmpty {
            let index = Int.random(in: 0..<array.count, using: &generator)
            if chance(0.2) { array.remove(at: index) } else if chance(0.2) { array.append(array[index]) } else { array[index] = mutate(array[index], depth: depth + 1) }
            return array
        }
        return pick(Self.interestingJSON)
    }

    /// model.safetensors edits: a tensor value replaced by a non-finite or huge float, or the
    /// JSON header's text mutated (shapes, offsets, dtypes), or plain byte edits.
    public mutating func safetensorsEdits(of data: Data) -> [FuzzCase.Edit] {
        guard data.count > 8 else { return byteEdits(of: data) }
        let headerLength = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self).littleEndian })
        let headerEnd = 8 + headerLength
        guard headerEnd < data.count, headerLength > 2 else { return byteEdits(of: data) }
        switch Int.random(in: 0..<3, using: &generator) {
        case 0:
            let slots = (data.count - headerEnd) / 4
            var value = pick(Self.interestingFloats).bitPattern.littleEndian
            let at = headerEnd + 4 * Int.random(in: 0..<max(1, slots), using: &generator)
            return [FuzzCase.Edit(at: at, remove: 4, insert: withUnsafeBytes(of: &value) { Data($0) })]
        case 1:
            // A digit, bracket or quote of the header changed in place: lengths stay, meaning changes.
            let header = [UInt8](data[8..<headerEnd])
            let candidates = header.indices.filter { (0x30...0x39).contains(header[$0]) || [0x22, 0x2C, 0x5B, 0x5D].contains(header[$0]) }
            guard !candidates.isEmpty else { return byteEdits(of: data) }
            return (0..<Int.random(in: 1...3, using: &generator)).map { _ in
                FuzzCase.Edit(at: 8 + pick(candidates), remove: 1, insert: Data([pick(Array("0123456789,[]\"-.e".utf8))]))
            }
        default:
            return byteEdits(of: data)
        }
    }

    /// A PNG made by vitrel's encoder with an unusual size or layout (1 × N strips, 16-bit,
    /// alpha, flat black or white): valid files that test what preprocessing makes of them.
    public mutating func generatedPNG() -> Data {
        let shapes = [(1, 1), (1, 2), (2, 1), (1, 100_000), (100_000, 1), (3, 4096), (4096, 3), (7, 5), (64, 64), (300, 1)]
        let (width, height) = pick(shapes)
        let channels = pick([1, 2, 3, 4])
        let fill: Float = pick([0, 1, 0.5])
        let noisy = chance(0.5)
        var pixels = [Float](repeating: fill, count: width * height * channels)
        if noisy { for i in pixels.indices { pixels[i] = Float.random(in: 0...1, using: &generator) } }
        let image = Image(width: width, height: height, channels: channels, pixels: pixels)
        return (try? ImageIO.encodePNG(image, bitDepth: pick([8, 16]))) ?? Data()
    }

    // MARK: command lines

    /// Option values that sit on or past a boundary.
    static let hostileValues = [
        "0", "-1", "1", "2", "-0", "1e308", "-1e308", "nan", "-nan", "inf", "-inf", "1e-45", "4.9e-324",
        "9223372036854775807", "-9223372036854775808", "18446744073709551616", "100000000000", "0.5", "", "x", "-", "🙂",
        "all", "label", "predicted", "border:2", "border:-1", "border:nan", "corners:1", "centre:0.5", "noise:nan", "noise:1e308",
        "constant:inf", "blur:0", "blur:1e9", "folder:/nonexistent", "1,2,3", "0,0", "a=b", "=,=",
    ]
    /// Options some command takes; most are refused by the others, which is part of the test.
    static let options = [
        "--threads", "--top-k", "--batch", "--limit", "--per-class", "--samples", "--steps", "--alpha", "--start-layer",
        "--target", "--regions", "--region-size", "--metric-batch", "--tolerance", "--epsilon", "--gamma",
        "--calibration-bins", "--temperature", "--discard-ratio", "--baseline", "--features", "--mask", "--perturbation",
        "--selection-seed", "--grids", "--seed", "--class-map", "--split", "--method", "--methods", "--metrics",
        "--segmentation", "--kernel-size", "--n-segments", "--compactness", "--sigma", "--border", "--corners",
        "--rule-set", "--batch-size", "--precision",
    ]

    /// Values past every range check: what makes arithmetic overflow and allocations explode.
    static let hugeValues = ["9223372036854775807", "4611686018427387904", "100000000000", "2147483648", "1e308"]

    /// One to three edits of a command line: an option's value replaced, an option added
    /// with a hostile value (mostly one of `known`, the options the command's `--help`
    /// lists), an argument dropped or repeated.
    public mutating func mutateArguments(_ arguments: [String], known: [String] = []) -> [String] {
        var arguments = arguments
        for _ in 0..<Int.random(in: 1...3, using: &generator) {
            let valueIndices = arguments.indices.dropFirst().filter { $0 > 0 && arguments[$0 - 1].hasPrefix("--") && !arguments[$0].hasPrefix("{") }
            switch Int.random(in: 0..<5, using: &generator) {
            case 0 where !valueIndices.isEmpty:
                arguments[pick(valueIndices)] = chance(0.3) ? pick(Self.hugeValues) : pick(Self.hostileValues)
            case 1, 2:
                let option = !known.isEmpty && chance(0.85) ? pick(known) : pick(Self.options)
                let value = chance(0.5) ? pick(Self.hugeValues) : pick(Self.hostileValues)
                // `--opt=value` reaches the command with values such as -1 that the parser
                // would otherwise take for a flag.
                arguments += chance(0.3) ? ["\(option)=\(value)"] : [option, value]
            case 3 where arguments.count > 1:
                arguments.remove(at: Int.random(in: 1..<arguments.count, using: &generator))
            default:
                if arguments.count > 1 { arguments.append(arguments[Int.random(in: 1..<arguments.count, using: &generator)]) }
            }
        }
        return arguments
    }
}
