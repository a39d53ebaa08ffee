/// Allocation helpers for activation buffers.
extension Array where Element: TensorScalar {
    /// An array whose contents the caller overwrites completely before reading
    /// (skips the zero fill of `init(repeating:count:)` on hot paths).
    @inlinable
    public static func uninitialized(_ count: Int) -> [Element] {
        [Element](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    @inlinable
    public static func zeros(_ count: Int) -> [Element] {
        [Element](repeating: 0, count: count)
    }
}
