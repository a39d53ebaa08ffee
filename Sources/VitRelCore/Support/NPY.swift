import Foundation

/// An n-dimensional array as stored in a NumPy `.npy` file: a shape, an element type and the
/// raw little-endian element bytes in C (row-major) order.
///
/// The element types are the ones vitrel exchanges with Python: `<f4`, `<f8`, `|u1`, `<u2`,
/// `<i4`, `<i8`.
///
///     let relevance = NPYArray(Tensor<Float>(shape: [14, 14], scalars: map))
///     try NPY.write(relevance, to: URL(fileURLWithPath: "relevance.npy"))  // np.load reads it
public struct NPYArray: Equatable, Sendable {
    public enum DType: String, CaseIterable, Codable, Sendable {
        case float32 = "<f4"
        case float64 = "<f8"
        case uint8 = "|u1"
        case uint16 = "<u2"
        case int32 = "<i4"
        case int64 = "<i8"

        public var byteCount: Int {
            switch self {
            case .uint8: return 1
            case .uint16: return 2
            case .float32, .int32: return 4
            case .float64, .int64: return 8
            }
        }

        /// The descriptor strings numpy writes for these types, and equivalent spellings.
        init?(descriptor: String) {
            switch descriptor {
            case "<f4": self = .float32
            case "<f8": self = .float64
            case "|u1", "<u1": self = .uint8
            case "<u2": self = .uint16
            case "<i4": self = .int32
            case "<i8": self = .int64
            default: return nil
            }
        }
    }

    public var shape: [Int]
    public var dtype: DType
    /// Element bytes, little-endian, C order; `count × dtype.byteCount` of them.
    public var bytes: [UInt8]

    /// Number of elements (1 for a 0-d array).
    public var count: Int { shape.reduce(1, *) }

    public init(shape: [Int], dtype: DType, bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in NPY shape \(shape)")
        precondition(bytes.count == shape.reduce(1, *) * dtype.byteCount,
                     "NPY \(dtype.rawValue) \(shape) needs \(shape.reduce(1, *) * dtype.byteCount) bytes, got \(bytes.count)")
        self.shape = shape
        self.dtype = dtype
        self.bytes = bytes
    }

    /// An array of `values` (C order) under `shape`.
    public init<Element: NPYElement>(shape: [Int], values: [Element]) {
        precondition(shape.reduce(1, *) == values.count, "NPY shape \(shape) holds \(shape.reduce(1, *)) values, got \(values.count)")
        var bytes = [UInt8](repeating: 0, count: values.count * MemoryLayout<Element>.size)
        bytes.withUnsafeMutableBytes { out in values.withUnsafeBytes { out.copyMemory(from: $0) } }
        NPYArray.convertHostToLittleEndian(&bytes, elementSize: MemoryLayout<Element>.size)
        self.init(shape: shape, dtype: Element.npyDType, bytes: bytes)
    }

    /// A tensor as `<f4` (Float) or `<f8` (Double).
    public init<Scalar: TensorScalar & NPYElement>(_ tensor: Tensor<Scalar>) {
        self.init(shape: tensor.shape, values: tensor.scalars)
    }

    /// The elements as `Element`, or nil when the stored type is another one.
    public func values<Element: NPYElement>(as type: Element.Type = Element.self) -> [Element]? {
        guard Element.npyDType == dtype else { return nil }
        var littleEndian = bytes
        NPYArray.convertHostToLittleEndian(&littleEndian, elementSize: dtype.byteCount)  // the swap is its own inverse
        return [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            littleEndian.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            initialized = count
        }
    }

    /// The elements converted to Double whatever the stored type (int64 beyond 2⁵³ rounds).
    public func doubles() -> [Double] {
        switch dtype {
        case .float32: return values(as: Float.self)!.map(Double.init)
        case .float64: return values(as: Double.self)!
        case .uint8: return values(as: UInt8.self)!.map(Double.init)
        case .uint16: return values(as: UInt16.self)!.map(Double.init)
        case .int32: return values(as: Int32.self)!.map(Double.init)
        case .int64: return values(as: Int64.self)!.map(Double.init)
        }
    }

    /// The array as a tensor of `Scalar`, converting the element type when needed.
    public func tensor<Scalar: TensorScalar>(of type: Scalar.Type = Scalar.self) -> Tensor<Scalar> {
        switch dtype {
        case .float32:
            let stored = values(as: Float.self)!
            return Tensor(shape: shape, scalars: (stored as? [Scalar]) ?? stored.map { Scalar($0) })
        case .float64:
            let stored = values(as: Double.self)!
            return Tensor(shape: shape, scalars: (stored as? [Scalar]) ?? stored.map { Scalar($0) })
        default:
            return Tensor(shape: shape, scalars: doubles().map { Scalar($0) })
        }
    }

    private static func convertHostToLittleEndian(_ bytes: inout [UInt8], elementSize: Int) {
        #if _endian(big)
        guard elementSize > 1 else { return }
        var start = 0
        while start < bytes.count {
            bytes[start..<start + elementSize].reverse()
            start += elementSize
        }
        #endif
    }
}

/// Swift types stored in `.npy` files, with their NumPy descriptor.
public protocol NPYElement {
    static var npyDType: NPYArray.DType { get }
}
extension Float: NPYElement { public static var npyDType: NPYArray.DType { .float32 } }
extension Double: NPYElement { public static var npyDType: NPYArray.DType { .float64 } }
extension UInt8: NPYElement { public static var npyDType: NPYArray.DType { .uint8 } }
extension UInt16: NPYElement { public static var npyDType: NPYArray.DType { .uint16 } }
extension Int32: NPYElement { public static var npyDType: NPYArray.DType { .int32 } }
extension Int64: NPYElement { public static var npyDType: NPYArray.DType { .int64 } }

/// Why an `.npy` file could not be read or written; one line naming the file.
public enum NPYError: Error, CustomStringConvertible, Equatable, Sendable {
    case fileNotFound(file: String)
    case unreadable(file: String, reason: String)
    case notNPY(file: String)
    case malformedHeader(file: String, detail: String)
    case unsupported(file: String, detail: String)
    case truncated(file: String, expectedBytes: Int, actualBytes: Int)
    case unwritable(file: String, reason: String)

    public var description: String {
        switch self {
        case .fileNotFound(let file): return "\(file): no such file"
        case .unreadable(let file, let reason): return "\(file): cannot read: \(reason)"
        case .notNPY(let file): return "\(file): not a NumPy .npy file (no \\x93NUMPY magic)"
        case .malformedHeader(let file, let detail): return "\(file): malformed .npy header: \(detail)"
        case .unsupported(let file, let detail): return "\(file): unsupported .npy content: \(detail)"
        case .truncated(let file, let expected, let actual):
            return "\(file): truncated .npy data: \(expected) bytes of elements expected, \(actual) present"
        case .unwritable(let file, let reason): return "\(file): cannot write .npy: \(reason)"
        }
    }
}

/// The NumPy `.npy` format (numpy `lib/format.py`, "NEP 1"): magic `\x93NUMPY`, version,
/// header length, a Python dict literal `{'descr': ..., 'fortran_order': ..., 'shape': ...}`
/// padded with spaces to a 64-byte boundary and ended by `\n`, then the element bytes.
///
/// Reads versions 1.0–3.0 and Fortran-order files (reordered to C order). Writes version 1.0
/// byte for byte as numpy ≥ 1.24 does (including the spare header space numpy reserves for
/// growing the first axis), so files are interchangeable both ways.
public enum NPY {
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    static let alignment = 64
    /// numpy's `GROWTH_AXIS_MAX_DIGITS`: room left in the header to rewrite the first axis.
    static let growthAxisDigits = 21

    public static func read(_ url: URL) throws -> NPYArray {
        guard FileManager.default.fileExists(atPath: url.path) else { throw NPYError.fileNotFound(file: url.path) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw NPYError.unreadable(file: url.path, reason: (error as NSError).localizedDescription)
        }
        return try decode(data, name: url.path)
    }

    public static func write(_ array: NPYArray, to url: URL) throws {
        do { try encode(array).write(to: url, options: .atomic) } catch {
            throw NPYError.unwritable(file: url.path, reason: (error as NSError).localizedDescription)
        }
    }

    /// Writes a Float tensor as `<f4` or a Double tensor as `<f8`.
    public static func write<Scalar: TensorScalar & NPYElement>(_ tensor: Tensor<Scalar>, to url: URL) throws {
        try write(NPYArray(tensor), to: url)
    }

    public static func encode(_ array: NPYArray) -> Data {
        let shapeText: String
        switch array.shape.count {
        case 0: shapeText = "()"
        case 1: shapeText = "(\(array.shape[0]),)"
        default: shapeText = "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var header = "{'descr': '\(array.dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        if let first = array.shape.first {
            header += String(repeating: " ", count: max(0, growthAxisDigits - String(first).count))
        }
        let unpadded = magic.count + 2 + 2 + header.utf8.count + 1
        let padding = alignment - unpadded % alignment  // numpy pads a full block when already aligned
        header += String(repeating: " ", count: padding) + "\n"
        let headerBytes = Array(header.utf8)
        var data = Data(magic + [1, 0])
        let headerLength = UInt16(headerBytes.count)  // < 65536 for any shape of practical rank
        data.append(contentsOf: [UInt8(headerLength & 0xFF), UInt8(headerLength >> 8)])
        data.append(contentsOf: headerBytes)
        data.append(contentsOf: array.bytes)
        return data
    }

    public static func decode(_ data: Data, name: String) throws -> NPYArray {
        let bytes = [UInt8](data)
        guard bytes.count >= magic.count + 2, bytes.starts(with: magic) else { throw NPYError.notNPY(file: name) }
        let major = bytes[6]
        let lengthFieldSize: Int
        switch major {
        case 1: lengthFieldSize = 2
        case 2, 3: lengthFieldSize = 4
        default: throw NPYError.unsupported(file: name, detail: "format version \(major).\(bytes[7])")
        }
        let lengthEnd = 8 + lengthFieldSize
        guard bytes.count >= lengthEnd else { throw NPYError.malformedHeader(file: name, detail: "file ends inside the header length") }
        let headerLength = bytes[8..<lengthEnd].reversed().reduce(0) { $0 << 8 | Int($1) }
        guard bytes.count >= lengthEnd + headerLength else {
            throw NPYError.malformedHeader(file: name, detail: "header of \(headerLength) bytes runs past the end of the file")
        }
        let headerText = String(decoding: bytes[lengthEnd..<lengthEnd + headerLength], as: UTF8.self)
        let fields: [String: HeaderValue]
        do {
            var parser = HeaderParser(text: headerText)
            fields = try parser.parseDictionary()
        } catch let error as HeaderParser.Failure {
            throw NPYError.malformedHeader(file: name, detail: error.detail)
        }
        guard case .string(let descriptor)? = fields["descr"] else {
            throw NPYError.malformedHeader(file: name, detail: "no 'descr' string")
        }
        guard case .bool(let fortranOrder)? = fields["fortran_order"] else {
            throw NPYError.malformedHeader(file: name, detail: "no 'fortran_order' boolean")
        }
        guard case .tuple(let shape)? = fields["shape"] else {
            throw NPYError.malformedHeader(file: name, detail: "no 'shape' tuple")
        }
        guard let dtype = NPYArray.DType(descriptor: descriptor) else {
            throw NPYError.unsupported(file: name, detail: "element type '\(descriptor)' (vitrel reads <f4 <f8 |u1 <u2 <i4 <i8)")
        }
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard dimension >= 0, !overflow, product <= Int.max / 8 else {
                throw NPYError.malformedHeader(file: name, detail: "impossible shape \(shape)")
            }
            count = product
        }
        let start = lengthEnd + headerLength
        let expected = count * dtype.byteCount
        guard bytes.count - start >= expected else {
            throw NPYError.truncated(file: name, expectedBytes: expected, actualBytes: bytes.count - start)
        }
        let elements = Array(bytes[start..<start + expected])
        if fortranOrder && shape.count > 1 {
            return NPYArray(shape: shape, dtype: dtype, bytes: reorderFortranToC(elements, shape: shape, elementSize: dtype.byteCount))
        }
        return NPYArray(shape: shape, dtype: dtype, bytes: elements)
    }

    /// Column-major element bytes → row-major, for any rank.
    static func reorderFortranToC(_ bytes: [UInt8], shape: [Int], elementSize: Int) -> [UInt8] {
        let count = shape.reduce(1, *)
        guard count > 0 else { return bytes }
        var fortranStrides = [Int](repeating: 1, count: shape.count)
        for axis in 1..<shape.count { fortranStrides[axis] = fortranStrides[axis - 1] * shape[axis - 1] }
        var out = [UInt8](repeating: 0, count: bytes.count)
        var index = [Int](repeating: 0, count: shape.count)  // C-order odometer
        for target in 0..<count {
            var source = 0
            for axis in 0..<shape.count { source += index[axis] * fortranStrides[axis] }
            for b in 0..<elementSize { out[target * elementSize + b] = bytes[source * elementSize + b] }
            var axis = shape.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < shape[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
        return out
    }

    enum HeaderValue: Equatable {
        case string(String)
        case bool(Bool)
        case tuple([Int])
    }

    /// Parses the restricted Python literal numpy writes: a dict of string keys whose values
    /// are strings, True/False or tuples of integers.
    struct HeaderParser {
        struct Failure: Error { var detail: String }
        let characters: [Character]
        var position = 0

        init(text: String) { characters = Array(text) }

        mutating func parseDictionary() throws -> [String: HeaderValue] {
            try expect("{")
            var fields: [String: HeaderValue] = [:]
            while true {
                skipSpaces()
                if peek() == "}" { position += 1; break }
                let key = try parseString()
                try expect(":")
                fields[key] = try parseValue()
                skipSpaces()
                if peek() == "," { position += 1; continue }
                try expect("}")
                break
            }
            return fields
        }

        mutating func parseValue() throws -> HeaderValue {
            skipSpaces()
            switch peek() {
            case "'", "\"": return .string(try parseString())
            case "(": return .tuple(try parseTuple())
            default:
                let word = parseWord()
                if word == "True" { return .bool(true) }
                if word == "False" { return .bool(false) }
                throw Failure(detail: "unexpected value '\(word)' at character \(position)")
            }
        }

        mutating func parseString() throws -> String {
            skipSpaces()
            guard let quote = peek(), quote == "'" || quote == "\"" else { throw Failure(detail: "expected a quoted key at character \(position)") }
            position += 1
            var text = ""
            while let c = peek(), c != quote { text.append(c); position += 1 }
            guard peek() == quote else { throw Failure(detail: "unterminated string") }
            position += 1
            return text
        }

        mutating func parseTuple() throws -> [Int] {
            try expect("(")
            var values: [Int] = []
            while true {
                skipSpaces()
                if peek() == ")" { position += 1; return values }
                var word = parseWord()
                if word.hasSuffix("L") { word.removeLast() }  // Python 2 longs
                guard let value = Int(word) else { throw Failure(detail: "shape entry '\(word)' is not an integer") }
                values.append(value)
                skipSpaces()
                if peek() == "," { position += 1 } else if peek() != ")" { throw Failure(detail: "expected ',' or ')' in shape") }
            }
        }

        mutating func parseWord() -> String {
            var word = ""
            while let c = peek(), c.isLetter || c.isNumber || c == "-" || c == "+" || c == "_" { word.append(c); position += 1 }
            return word
        }

        mutating func expect(_ c: Character) throws {
            skipSpaces()
            guard peek() == c else { throw Failure(detail: "expected '\(c)' at character \(position)") }
            position += 1
        }

        mutating func skipSpaces() { while let c = peek(), c.isWhitespace { position += 1 } }
        func peek() -> Character? { position < characters.count ? characters[position] : nil }
    }
}
