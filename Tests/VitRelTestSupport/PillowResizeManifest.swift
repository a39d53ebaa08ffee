import Foundation
import VitRel

/// `Fixtures/pillow_resize/manifest.json`, written by `Tools/make_pillow_resize_fixtures.py`.
public struct PillowResizeManifest: Decodable {
    public struct Case: Decodable {
        public let source: String
        public let filter: String
        public let width: Int
        public let height: Int
        public let reference: String
    }
    public struct TimmEval: Decodable {
        public let image: String
        public let model: String
        public let input: String
        public let logits: String
    }
    public struct ShorterSide: Decodable {
        public let height: Int
        public let width: Int
        public let size: Int
        public let resizedHeight: Int
        public let resizedWidth: Int
    }
    public let resize: [Case]
    public let timmEval: TimmEval
    public let shorterSide: [ShorterSide]

    public static func load() throws -> PillowResizeManifest {
        try JSONDecoder().decode(PillowResizeManifest.self, from: Data(contentsOf: fixture("manifest.json")))
    }

    public static func fixture(_ relativePath: String) -> URL { TestPaths.fixture("pillow_resize/" + relativePath) }
}
