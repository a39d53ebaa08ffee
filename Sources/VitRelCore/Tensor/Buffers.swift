/// Allocation helpers for activation buffers.
extension Array where Element: TensorScalar {
    /// An array whose contents the caller overwrites completely before reading
    /// (skips the zero fill of `init(repeating:count:)` on hot paths).
    @inlinable
    public static func uninitialized(_ count: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// Zero-filled, by bytes: Float and Double zero is all bits clear. `init(repeating:count:)`
    /// called from code not specialised for the scalar type copies the zero element by element
    /// through the type's value witness (3% of a training step's samples for the gradient
    /// accumulators of `bench train`); a byte fill costs the same from generic and concrete code.
    @inlinable
    public static func zeros(_ count: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { buffer, initialized in
            UnsafeMutableRawBufferPointer(buffer).initializeMemory(as: UInt8.self, repeating: 0)
            initialized = count
        }
    }
}
