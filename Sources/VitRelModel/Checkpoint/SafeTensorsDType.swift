extension SafeTensors {
    /// The element types of the safetensors format, spelled as in the header.
    ///
    /// The list and the element sizes are the reference crate's `Dtype` enum
    /// (huggingface/safetensors, `safetensors/src/tensor.rs`). All are recognised so that a
    /// file's layout can be validated whatever it holds; only the four real types can be read
    /// as numbers (`isReal`).
    public enum DType: String, CaseIterable, Sendable {
        case bool = "BOOL"
        case uint8 = "U8"
        case int8 = "I8"
        case float8E5M2 = "F8_E5M2"
        case float8E4M3 = "F8_E4M3"
        case int16 = "I16"
        case uint16 = "U16"
        case float16 = "F16"
        case bfloat16 = "BF16"
        case int32 = "I32"
        case uint32 = "U32"
        case float32 = "F32"
        case float64 = "F64"
        case int64 = "I64"
        case uint64 = "U64"

        /// Bytes per element.
        public var byteCount: Int {
            switch self {
            case .bool, .uint8, .int8, .float8E5M2, .float8E4M3: return 1
            case .int16, .uint16, .float16, .bfloat16: return 2
            case .int32, .uint32, .float32: return 4
            case .int64, .uint64, .float64: return 8
            }
        }

        /// Whether vitrel decodes this type to Float/Double (F64, F32, F16, BF16).
        public var isReal: Bool {
            switch self {
            case .float16, .bfloat16, .float32, .float64: return true
            default: return false
            }
        }

        /// The largest finite magnitude of a real type narrower than Float (F16: 65504; BF16:
        /// (2 − 2⁻⁷)·2¹²⁷), whose writer would turn larger Float values into infinities; nil
        /// for F32 and F64, which hold every Float.
        public var largestFinite: Double? {
            switch self {
            case .float16: return 65504
            case .bfloat16: return 3.3895313892515355e38
            default: return nil
            }
        }
    }
}
