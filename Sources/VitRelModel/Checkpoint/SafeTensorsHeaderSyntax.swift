/// The strict JSON syntax the safetensors library accepts in a header (it reads it with
/// serde_json into typed maps), checked before the header is decoded: Foundation's decoder is
/// more forgiving than the reference and would let these through.
///
/// Refused, each with what and where: anything RFC 8259 does not allow (a trailing comma, a
/// comment, single quotes, a control character in a string, text after the object), a key
/// given twice in one object (serde_json's typed maps reject duplicates; Foundation keeps the
/// last silently), a whole number written as a float (shapes and offsets are `u64`: `96.0`,
/// `1e2` and `-0` are not, though a Double holds them as integers), and nesting deeper than 64 (a header is two levels deep;
/// unbounded recursion on hostile input would overflow the stack).
enum SafeTensorsHeaderSyntax {
    static let maximumDepth = 64

    /// Returns nil when `bytes` is a strict JSON object, else a one-line account of the first
    /// problem with its byte offset in the header.
    static func problem(in bytes: [UInt8]) -> String? {
        var scanner = Scanner(bytes: bytes)
        do {
            scanner.skipWhitespace()
            try scanner.value(depth: 0)
            scanner.skipWhitespace()
            guard scanner.position == bytes.count else { throw Scanner.Failure(offset: scanner.position, what: "text after the top-level value") }
            return nil
        } catch let failure as Scanner.Failure {
            return "\(failure.what) at byte \(failure.offset) of the header"
        } catch {
            return "\(error)"
        }
    }

    private struct Scanner {
        struct Failure: Error {
            var offset: Int
            var what: String
        }

        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        func fail(_ what: String) -> Failure { Failure(offset: position, what: what) }

        mutating func skipWhitespace() {
            while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
        }

        mutating func expect(_ byte: UInt8, _ what: String) throws {
            guard current == byte else { throw fail(what) }
            position += 1
        }

        mutating func value(depth: Int) throws {
            guard depth < SafeTensorsHeaderSyntax.maximumDepth else { throw fail("nesting deeper than \(SafeTensorsHeaderSyntax.maximumDepth)") }
            guard let byte = current else { throw fail("the header ends where a value should be") }
            switch byte {
            case UInt8(ascii: "{"): try object(depth: depth)
            case UInt8(ascii: "["): try array(depth: depth)
            case UInt8(ascii: "\""): _ = try string()
            case UInt8(ascii: "t"): try literal("true")
            case UInt8(ascii: "f"): try literal("false")
            case UInt8(ascii: "n"): try literal("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
            default: throw fail("unexpected character '\(Character(Unicode.Scalar(byte)))'")
            }
        }

        mutating func object(depth: Int) throws {
            position += 1
            skipWhitespace()
            var keys = Set<[UInt8]>()
            if current == UInt8(ascii: "}") { position += 1; return }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else {
                    throw fail(current == UInt8(ascii: "}") ? "a trailing comma before '}'" : "an object key that is not a string")
                }
                let keyStart = position
                let key = try string()
                guard keys.insert(key).inserted else {
                    throw Failure(offset: keyStart, what: "the key \"\(String(decoding: key, as: UTF8.self))\" given twice in one object")
                }
                skipWhitespace()
                try expect(UInt8(ascii: ":"), "a missing ':' after a key")
                skipWhitespace()
                try value(depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "}"), "a missing ',' or '}' in an object")
                return
            }
        }

        mutating func array(depth: Int) throws {
            position += 1
            skipWhitespace()
            if current == UInt8(ascii: "]") { position += 1; return }
            while true {
                skipWhitespace()
                if current == UInt8(ascii: "]") { throw fail("a trailing comma before ']'") }
                try value(depth: depth + 1)
                skipWhitespace()
                if current == UInt8(ascii: ",") { position += 1; continue }
                try expect(UInt8(ascii: "]"), "a missing ',' or ']' in an array")
                return
            }
        }

        /// The string's content with escapes decoded to UTF-8 (so "a" and "\u0061" are one key).
        mutating func string() throws -> [UInt8] {
            position += 1
            var content = [UInt8]()
            while true {
                guard let byte = current else { throw fail("an unterminated string") }
                position += 1
                switch byte {
                case UInt8(ascii: "\""):
                    return content
                case UInt8(ascii: "\\"):
                    guard let escaped = current else { throw fail("an unterminated string") }
                    position += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): content.append(escaped)
                    case UInt8(ascii: "b"): content.append(0x08)
                    case UInt8(ascii: "f"): content.append(0x0C)
                    case UInt8(ascii: "n"): content.append(0x0A)
                    case UInt8(ascii: "r"): content.append(0x0D)
                    case UInt8(ascii: "t"): content.append(0x09)
                    case UInt8(ascii: "u"):
                        var unit = try hexUnit()
                        if (0xD800..<0xDC00).contains(unit), current == UInt8(ascii: "\\"),
                           position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") {
                            position += 2
                            let low = try hexUnit()
                            guard (0xDC00..<0xE000).contains(low) else { throw fail("an invalid surrogate pair") }
                            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(unit) else { throw fail("a lone surrogate \\u escape") }
                        content += Array(String(Character(scalar)).utf8)
                    default:
                        throw fail("an invalid escape '\\\(Character(Unicode.Scalar(escaped)))'")
                    }
                case 0x00..<0x20:
                    throw fail("a control character in a string")
                default:
                    content.append(byte)
                }
            }
        }

        mutating func hexUnit() throws -> UInt32 {
            guard position + 4 <= bytes.count else { throw fail("a short \\u escape") }
            var unit: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Character(Unicode.Scalar(bytes[position])).hexDigitValue else { throw fail("a non-hex \\u escape") }
                unit = unit * 16 + UInt32(digit)
                position += 1
            }
            return unit
        }

        mutating func literal(_ word: String) throws {
            let expected = Array(word.utf8)
            guard bytes.count - position >= expected.count, Array(bytes[position..<(position + expected.count)]) == expected else {
                throw fail("an unknown literal")
            }
            position += expected.count
        }

        /// A JSON number. One written as a float whose value is a whole number (`96.0`, `1e2`,
        /// `-0`) is refused here: decoded to a Double it would pass as the integer the entry
        /// checks want, where serde's `u64` refuses it. Negative or fractional values pass on to
        /// those checks, which name the tensor and the field.
        mutating func number() throws {
            let start = position
            if current == UInt8(ascii: "-") { position += 1 }
            let digitsStart = position
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
            guard position > digitsStart else { throw fail("a '-' without digits") }
            guard position - digitsStart == 1 || bytes[digitsStart] != UInt8(ascii: "0") else {
                throw Failure(offset: start, what: "a number with a leading zero")
            }
            var isFloatSyntax = false
            if current == UInt8(ascii: ".") {
                position += 1
                let fractionStart = position
                while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
                guard position > fractionStart else { throw fail("a '.' without digits") }
                isFloatSyntax = true
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                let exponentStart = position
                while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
                guard position > exponentStart else { throw fail("an exponent without digits") }
                isFloatSyntax = true
            }
            let text = String(decoding: bytes[start..<position], as: UTF8.self)
            let isNegativeZero = text.hasPrefix("-") && Double(text) == 0
            if let value = Double(text), (isFloatSyntax && value.rounded() == value) || isNegativeZero {
                throw Failure(offset: start, what: "the number \(text) written as a float, where shapes and offsets are u64 integers")
            }
        }
    }
}
