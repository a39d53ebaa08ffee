import Foundation
import XCTest
import VitRel

/// Small dataset trees on disk for the reader tests.
public enum DatasetTestTrees {
    /// Writes a small decodable gray PNG (`side`×`side`, constant `value`) at `url`,
    /// creating folders as needed.
    public static func writeImage(_ url: URL, side: Int = 8, value: Float = 0.5) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ImageIO.writePNG(Image(width: side, height: side, channels: 1, pixels: [Float](repeating: value, count: side * side)), to: url)
    }

    /// Writes `<root>/<relative>` for each relative path.
    public static func writeImages(_ root: URL, _ relativePaths: [String]) throws {
        for path in relativePaths { try writeImage(root.appendingPathComponent(path)) }
    }

    /// `<root>/{train,val}/<class>/{0,1}.png` for the three COVID-QU-Ex classes: 40 × 40
    /// test X-rays (`TestImages`) whose brightness rises with the class, film 1 of each class
    /// carrying a white 3 × 4 marker near the top-left corner: the shortcut audit's smallest
    /// dataset. Returns `root`.
    @discardableResult
    public static func markedFilms(_ root: URL) throws -> URL {
        for split in ["train", "val"] {
            for (k, name) in ["COVID-19", "Non-COVID", "Normal"].enumerated() {
                let folder = root.appendingPathComponent(split).appendingPathComponent(name)
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for n in 0..<2 {
                    let url = try TestImages.write(in: folder, name: "\(n).png", brightness: 0.3 + 0.3 * Float(k) + 0.1 * Float(n))
                    guard n == 1 else { continue }
                    var image = try ImageIO.read(url)
                    for y in 2..<6 { for x in 2..<5 { image.pixels[y * 40 + x] = 1 } }
                    try ImageIO.writePNG(image, to: url)
                }
            }
        }
        return root
    }

    /// A COVID-QU-Ex tree: for each (subset, split, class, name), an image and, unless
    /// `withoutMasks` lists the name, both masks.
    public static func covidQuEx(
        _ root: URL, _ entries: [(subset: String, split: String, className: String, name: String)],
        withoutMasks: Set<String> = []
    ) throws {
        for entry in entries {
            let classDirectory = root.appendingPathComponent(entry.subset).appendingPathComponent(entry.split)
                .appendingPathComponent(entry.className)
            try writeImage(classDirectory.appendingPathComponent("images").appendingPathComponent(entry.name))
            if withoutMasks.contains(entry.name) { continue }
            for folder in ["lung masks", "infection masks"] {
                try writeImage(classDirectory.appendingPathComponent(folder).appendingPathComponent(entry.name), value: 0)
            }
        }
    }

    /// Asserts that `body` throws a `DatasetError` whose one-line message contains `path`,
    /// and returns the error.
    @discardableResult
    public static func assertDatasetError(
        containing path: String, file: StaticString = #filePath, line: UInt = #line, _ body: () throws -> Void
    ) -> DatasetError? {
        do {
            try body()
            XCTFail("no error thrown", file: file, line: line)
        } catch let error as DatasetError {
            let message = error.description
            XCTAssertTrue(message.contains(path), "\"\(message)\" does not name \(path)", file: file, line: line)
            XCTAssertFalse(message.contains("\n"), "\"\(message)\" is not one line", file: file, line: line)
            return error
        } catch {
            XCTFail("\(error) is not a DatasetError", file: file, line: line)
        }
        return nil
    }
}
