import CSystem

/// Allocator settings for large activation buffers.
public enum MemoryTuning {
    /// A ViT-B/16 batch allocates tens of 30–40 MB activation arrays per pass. glibc serves
    /// those with fresh mmaps (its threshold caps at 32 MB) and returns them on free, so every
    /// pass page-faults and zero-fills them again. Raising the thresholds keeps freed blocks
    /// in the heap for reuse. Called once by the CLI; harmless to call again.
    public static func retainLargeFreedBlocks() {
        _ = mallopt(M_MMAP_THRESHOLD, 1 << 30)
        _ = mallopt(M_TRIM_THRESHOLD, Int32.max)
    }
}
