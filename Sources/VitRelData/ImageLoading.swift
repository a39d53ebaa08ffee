import Foundation

/// A decoded dataset image with its decoded masks (when asked for and present).
public struct LoadedImage: Sendable {
    public var item: LabelledImage
    public var image: Image
    public var lungMask: Image?
    public var infectionMask: Image?
    public var shortcutMask: Image?

    /// The decoded mask of `kind`, if any.
    public func mask(_ kind: MaskKind) -> Image? {
        switch kind {
        case .lung: return lungMask
        case .infection: return infectionMask
        case .shortcut: return shortcutMask
        }
    }
}

/// A file that could not be used, and why (the decoder's one-line message, without the path:
/// `description` names the file once).
public struct SkippedFile: Equatable, Sendable, CustomStringConvertible {
    public var url: URL
    public var reason: String
    public var description: String { "\(url.path): \(reason)" }
}

/// The outcome of `DatasetIndex.loadImages`: what decoded, and what was skipped.
public struct ImageLoadReport: Sendable, CustomStringConvertible {
    /// In the order of the requested items, skipped ones left out.
    public var loaded: [LoadedImage]
    /// In the order of the requested items.
    public var skipped: [SkippedFile]
    public var loadedCount: Int { loaded.count }
    public var description: String {
        "loaded \(loaded.count) image\(loaded.count == 1 ? "" : "s"), skipped \(skipped.count) unreadable"
    }
}

extension DatasetIndex {
    /// Decodes `items` (default: all) in parallel, with their masks when `includeMasks`.
    ///
    /// The index never opens files, so this is where unreadable data shows up: an image that
    /// fails to decode — or whose mask fails, or has a different size — is skipped and listed
    /// with the reason, and loading goes on. The result does not depend on the thread count.
    public func loadImages(
        _ items: [LabelledImage]? = nil, includeMasks: Bool = false,
        decode: (URL) throws -> Image = { try ImageIO.read($0) }
    ) -> ImageLoadReport {
        let items = items ?? self.items
        let results = Parallel.map(items.count) { Self.load(items[$0], includeMasks: includeMasks, decode: decode) }
        var report = ImageLoadReport(loaded: [], skipped: [])
        for result in results {
            switch result {
            case .loaded(let loaded): report.loaded.append(loaded)
            case .skipped(let skipped): report.skipped.append(skipped)
            }
        }
        return report
    }

    private enum LoadOutcome {
        case loaded(LoadedImage)
        case skipped(SkippedFile)
    }

    private static func load(_ item: LabelledImage, includeMasks: Bool, decode: (URL) throws -> Image) -> LoadOutcome {
        func attempt(_ url: URL) -> (Image?, SkippedFile?) {
            do { return (try decode(url), nil) } catch {
                // Decoder messages begin with the path already; the description adds it once.
                let message = Self.oneLine(error), prefix = url.path + ": "
                return (nil, SkippedFile(url: url, reason: message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message))
            }
        }
        let (decoded, failure) = attempt(item.imageURL)
        guard let image = decoded else { return .skipped(failure!) }
        var loaded = LoadedImage(item: item, image: image)
        guard includeMasks else { return .loaded(loaded) }
        for kind in MaskKind.allCases {
            guard let url = item.maskURL(kind) else { continue }
            let (decodedMask, maskFailure) = attempt(url)
            guard let mask = decodedMask else { return .skipped(maskFailure!) }
            guard mask.width == image.width && mask.height == image.height else {
                return .skipped(SkippedFile(
                    url: url, reason: "\(kind.rawValue) mask is \(mask.width)×\(mask.height) but its image is \(image.width)×\(image.height)"))
            }
            switch kind {
            case .lung: loaded.lungMask = mask
            case .infection: loaded.infectionMask = mask
            case .shortcut: loaded.shortcutMask = mask
            }
        }
        return .loaded(loaded)
    }

    /// An error as one line: its description, with any line breaks folded.
    static func oneLine(_ error: Error) -> String {
        String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
