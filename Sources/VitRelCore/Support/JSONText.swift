import Foundation

/// JSON as every vitrel JSON file and `--json` output writes it: pretty-printed, keys sorted
/// (equal values give equal text, so files diff cleanly), slashes unescaped (paths stay
/// readable). `nonFiniteAsStrings` writes NaN and ±∞ as "nan", "inf", "-inf" (JSON has no
/// literal for them; summaries of empty groups hold NaN) instead of failing.
public func jsonString<T: Encodable>(_ value: T, nonFiniteAsStrings: Bool = false) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    if nonFiniteAsStrings {
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    }
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
